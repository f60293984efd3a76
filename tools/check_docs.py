#!/usr/bin/env python
"""Checks of the hand-written docs that `make docs-check` runs (tools/docs.sh check).

Usage: tools/check_docs.py [ROOT]      (ROOT: the collection's root, default this checkout)

1. The README's content table - the first Markdown table of README.md - names every module (plugins/modules/),
   inventory plugin (plugins/inventory/), role (roles/), filter (plugins/filter/*.yml) and playbook (playbooks/) of
   the collection as `zstack.cloud.NAME`.
2. No example uses the module's facts as top-level variables (`zstack_consoles`, `zstack_console`): ansible-core
   2.21 deprecates that (INJECT_FACTS_AS_VARS) and a later one removes it. Examples read them as
   `ansible_facts.zstack_consoles` or from a registered result. Looked at: the YAML of README.md and docs/*.md
   (fenced yaml blocks), playbooks/, roles/ and extensions/. (docs/reference/ is generated from the plugins.)
"""

from __future__ import annotations

import glob
import os
import re
import sys

# A fact name not reached through an attribute or an item access: `x.zstack_consoles` and x['zstack_consoles']
# are fine, ` zstack_consoles` or `{{zstack_consoles` are not (nor is a file name such as zstack_console.yml).
TOP_LEVEL_FACT = re.compile(r'''(?<![\w.'"\[/])(zstack_consoles?)\b(?!['"]|\.ya?ml)''')


def names(root):
    """{kind: sorted names} of the collection's content."""
    found = {
        'module': [os.path.basename(p)[:-3] for p in glob.glob(os.path.join(root, 'plugins/modules/*.py'))
                   if not p.endswith('/__init__.py')],
        'inventory plugin': [os.path.basename(p)[:-3] for p in glob.glob(os.path.join(root, 'plugins/inventory/*.py'))
                             if not p.endswith('/__init__.py')],
        'role': [os.path.basename(os.path.dirname(p)) for p in glob.glob(os.path.join(root, 'roles/*/'))],
        'filter': [os.path.basename(p)[:-4] for p in glob.glob(os.path.join(root, 'plugins/filter/*.yml'))],
        'playbook': [os.path.basename(p).rsplit('.', 1)[0] for p in glob.glob(os.path.join(root, 'playbooks/*.yml'))
                     + glob.glob(os.path.join(root, 'playbooks/*.yaml'))],
    }
    return {kind: sorted(values) for kind, values in found.items()}


def first_table(path):
    """The lines of the first Markdown table of path."""
    with open(path, encoding='utf-8') as handle:
        lines = handle.read().splitlines()
    table = []
    for line in lines:
        if line.startswith('|'):
            table.append(line)
        elif table:
            break
    return table


def check_content_table(root):
    table = '\n'.join(first_table(os.path.join(root, 'README.md')))
    problems = []
    content = names(root)
    for kind, values in content.items():
        for name in values:
            if '`zstack.cloud.%s`' % name not in table:
                problems.append('README.md: the content table does not list the %s `zstack.cloud.%s`' % (kind, name))
    known = {name for values in content.values() for name in values}
    for name in sorted(set(re.findall(r'`zstack\.cloud\.(\w+)`', table)) - known):
        problems.append('README.md: the content table lists `zstack.cloud.%s`, which the collection does not have' % name)
    return problems


def yaml_of_markdown(path):
    """(line number, line) of the fenced yaml blocks of a Markdown file."""
    with open(path, encoding='utf-8') as handle:
        lines = handle.read().splitlines()
    inside = False
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not inside and stripped in ('```yaml', '```yml'):
            inside = True
        elif inside and stripped == '```':
            inside = False
        elif inside:
            yield number, line


def yaml_lines(path):
    with open(path, encoding='utf-8') as handle:
        for number, line in enumerate(handle.read().splitlines(), 1):
            yield number, line


def check_facts(root):
    files = [os.path.join(root, 'README.md')] + sorted(glob.glob(os.path.join(root, 'docs/*.md')))
    for pattern in ('playbooks/**/*.yml', 'roles/**/*.yml', 'roles/**/*.j2', 'extensions/**/*.yml'):
        files += sorted(glob.glob(os.path.join(root, pattern), recursive=True))
    problems = []
    for path in files:
        lines = yaml_of_markdown(path) if path.endswith('.md') else yaml_lines(path)
        for number, line in lines:
            code = line.split(' #', 1)[0] if not line.lstrip().startswith('#') else ''
            for match in TOP_LEVEL_FACT.finditer(code):
                problems.append('%s:%d: `%s` as a top-level variable (use ansible_facts.%s or a registered result): %s'
                                % (os.path.relpath(path, root), number, match.group(1), match.group(1), line.strip()))
    return problems


def main(argv):
    root = argv[1] if len(argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    problems = check_content_table(root) + check_facts(root)
    for problem in problems:
        print('check_docs: %s' % problem, file=sys.stderr)
    if problems:
        print('check_docs: FAILED: %d problem(s)' % len(problems), file=sys.stderr)
        return 1
    counts = ', '.join('%ss: %d' % (k, len(v)) for k, v in names(root).items())
    print('check_docs: the README lists every module, inventory plugin, role, filter and playbook (%s); no example '
          'reads the consoles as top-level facts' % counts)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
