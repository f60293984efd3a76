# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Sphinx configuration of the documentation site (`make docsite`, tools/docsite.sh).

The source tree tools/docsite.sh assembles mirrors the repository (README.md, CHANGELOG.rst, docs/*.md,
roles/console_files/README.md), so that the Markdown pages' relative links hold in the site as they do in the
repository; docs/reference/ there holds antsibull-docs' Sphinx pages of every module, filter and role. The build is
offline: no intersphinx download, no asset from elsewhere; the few labels of the Ansible documentation that
antsibull-docs' pages refer to become links to docs.ansible.com (ANSIBLE_LABELS).
"""

from __future__ import annotations

from docutils import nodes

project = 'zstack.cloud'
copyright = 'zstack.cloud maintainers'  # pylint: disable=redefined-builtin
title = 'zstack.cloud documentation'
html_title = 'zstack.cloud documentation'
html_short_title = 'zstack.cloud'

# sphinx_antsibull_ext: antsibull-docs' roles and directives, and its stylesheet; myst_parser: the Markdown pages.
extensions = ['myst_parser', 'sphinx_antsibull_ext']
source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
root_doc = 'index'

# Anchors for Markdown headings as GitHub makes them, so `page.md#a-heading` links hold in both places.
myst_heading_anchors = 4

highlight_language = 'none'  # blocks without a language are output or plain text; antsibull-docs names its own
pygments_style = 'sphinx'
# Read the Docs' theme, with its fonts and scripts bundled: the site loads nothing from elsewhere.
html_theme = 'sphinx_rtd_theme'
html_show_sphinx = False
html_show_sourcelink = False
html_copy_source = False
html_use_index = False
html_use_modindex = False
html_last_updated_fmt = None

nitpicky = True

# Labels of the Ansible documentation that antsibull-docs' pages refer to (an intersphinx inventory would be
# downloaded; the build is offline). A label missing here fails the build (nitpicky, -W) with its name.
ANSIBLE_DOCS = 'https://docs.ansible.com/projects/ansible/devel/'
ANSIBLE_LABELS = {
    'ansible_configuration_settings': ('reference_appendices/config.html', 'Ansible Configuration Settings'),
    'common_return_values': ('reference_appendices/common_return_values.html', 'Return Values'),
}


def _ansible_label(app, env, node, contnode):
    """Resolve a :ref: to one of ANSIBLE_LABELS, and an :envvar: of Ansible's own configuration (ANSIBLE_*, such as
    the inventory cache's), as links to the Ansible documentation."""
    target = node.get('reftarget')
    if node.get('reftype') == 'envvar' and str(target).startswith('ANSIBLE_'):
        path = ANSIBLE_LABELS['ansible_configuration_settings'][0]
        reference = nodes.reference('', '', internal=False, refuri='%s%s#envvar-%s' % (ANSIBLE_DOCS, path, target))
        reference += contnode
        return reference
    if node.get('reftype') != 'ref' or target not in ANSIBLE_LABELS:
        return None
    path, label_title = ANSIBLE_LABELS[target]
    reference = nodes.reference('', '', internal=False, refuri=ANSIBLE_DOCS + path)
    reference += contnode if node.get('refexplicit') else nodes.Text(label_title)
    return reference


def setup(app):
    app.connect('missing-reference', _ansible_label)
