# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The documentation site (make docsite) opened in Chromium: it renders, and no link in it is broken.

The site is served on loopback and crawled from index.html (conftest.py, docsite_crawl.py). Checked: the start
page and the page of every module, filter, role and other plugin of the collection render (HTTP 200, their heading,
their content laid out, the theme's stylesheet applied, no JavaScript error, no failed request); every internal
link and asset resolves, anchors included; every page of the build is reachable; the user documentation
(README.md, docs/*.md, the role's README, the changelog) is in the site. External links cannot be followed
offline: each is listed, must be a well-formed http(s) URL, and its host must be on ALLOWED_HOSTS; no page may load
anything from outside the site.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from pathlib import Path

import pytest

COLLECTION_ROOT = Path(__file__).resolve().parents[2]

# Hosts the site may link to (not load from): documentation and project pages its text names. A new external link
# to another host fails test_external_links_are_well_formed_and_allowed until it is added here, on purpose.
ALLOWED_HOSTS = {
    'docs.ansible.com': 'the Ansible documentation (antsibull-docs links its reference appendices)',
    'ansible.readthedocs.io': 'the documentation of ansible-builder and ansible-runner',
    'galaxy.ansible.com': 'collections the docs use, published there (awx.awx)',
    'github.com': 'upstream projects the docs cite (antsibull-docs)',
    'pypi.org': 'Python packages the docs name (requests)',
    'www.zstack.io': "ZStack's own manuals",
}
# Reserved for examples (RFC 2606): a link to one is an example, never a real place.
EXAMPLE_DOMAINS = ('example.com', 'example.org', 'example.net')

HOSTNAME = re.compile(r'^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$')


def plugin_pages():
    """{site path: FQCN} of the reference page of every plugin and role of the collection, from its files."""
    pages = {}
    for kind_dir in sorted((COLLECTION_ROOT / 'plugins').iterdir()):
        kind = kind_dir.name
        if kind in ('module_utils', 'doc_fragments') or not kind_dir.is_dir():
            continue
        if kind in ('filter', 'test'):  # one documentation file per filter or test, beside the Python
            names = [path.stem for path in kind_dir.glob('*.yml')]
        else:
            names = [path.stem for path in kind_dir.glob('*.py') if path.stem != '__init__']
        page_kind = 'module' if kind == 'modules' else kind
        for name in names:
            pages['docs/reference/%s_%s.html' % (name, page_kind)] = 'zstack.cloud.%s' % name
    for role in sorted((COLLECTION_ROOT / 'roles').iterdir()):
        if (role / 'meta' / 'argument_specs.yml').is_file():
            pages['docs/reference/%s_role.html' % role.name] = 'zstack.cloud.%s' % role.name
    return pages


def page_at(site, path):
    url = site.base + path
    assert url in site.pages, '%s is not reachable from index.html (reached: %s)' % (path, sorted(
        site.path(u) for u in site.pages))
    return site.pages[url]


def assert_renders(page, heading):
    assert page.status == 200, '%s: HTTP %d' % (page.url, page.status)
    assert heading in page.h1, '%s: heading %r, expected %r in it' % (page.url, page.h1, heading)
    assert page.main_height > 200 and len(page.main_text) > 200, '%s: no content laid out' % page.url
    assert page.sidebar_fixed and page.css_rules > 100, "%s: the theme's stylesheet did not apply" % page.url
    assert not page.errors, '%s: %s' % (page.url, page.errors)


def test_the_start_page_renders_and_leads_everywhere(site):
    index = page_at(site, 'index.html')
    assert_renders(index, 'zstack.cloud')
    assert index.title.startswith('zstack.cloud'), index.title
    linked = {site.path(urllib.parse.urldefrag(link)[0]) for link in index.links if site.internal(link)}
    for path in ('README.html', 'docs/user-guide.html', 'docs/reference/index.html', 'CHANGELOG.html'):
        assert path in linked, 'the start page does not link %s' % path


def test_every_plugin_and_role_page_renders(site):
    pages = plugin_pages()
    assert any(path.endswith('_module.html') for path in pages) and any(path.endswith('_role.html') for path in pages)
    for path, fqcn in pages.items():
        page = page_at(site, path)
        assert_renders(page, fqcn)
        assert 'Synopsis' in page.main_text, '%s: no synopsis' % path
    reference = page_at(site, 'docs/reference/index.html')
    assert_renders(reference, 'Zstack.Cloud')
    listed = {site.path(link) for link in reference.links if site.internal(link)}
    assert set(pages) <= listed, 'the reference index does not list %s' % sorted(set(pages) - listed)


def test_the_user_documentation_is_in_the_site(site):
    """Included, not linked out: each Markdown page of the repository is a page of the site, rendered."""
    markdown = ['README.md', 'roles/console_files/README.md'] + sorted(
        'docs/%s' % path.name for path in (COLLECTION_ROOT / 'docs').glob('*.md'))
    assert 'docs/user-guide.md' in markdown
    for source in markdown:
        with open(COLLECTION_ROOT / source, encoding='utf-8') as handle:
            heading = next(line[2:].strip() for line in handle if line.startswith('# '))
        heading = re.sub(r'[`*]', '', heading)
        assert_renders(page_at(site, source[:-3] + '.html'), heading.split(' ')[0])
    changelog = page_at(site, 'CHANGELOG.html')
    assert_renders(changelog, 'zstack.cloud Release Notes')
    with open(COLLECTION_ROOT / 'galaxy.yml', encoding='utf-8') as handle:
        version = next(line.split(':', 1)[1].strip() for line in handle if line.startswith('version:'))
    assert 'v%s' % version in changelog.ids or 'v%s' % version in changelog.main_text, 'no release %s in it' % version


def test_every_page_of_the_build_is_reachable(site, site_dir):
    built = {str(path.relative_to(site_dir)) for path in site_dir.rglob('*.html')}
    reached = {site.path(url) for url in site.pages}
    # search.html is the search box's form target, not a link.
    assert built - reached <= {'search.html'}, 'pages no link reaches: %s' % sorted(built - reached - {'search.html'})


def test_no_internal_link_or_asset_is_broken(site):
    broken = []
    for page in site.pages.values():
        if page.status != 200:
            broken.append('%s: HTTP %d' % (site.path(page.url), page.status))
        for link in page.links + page.assets:
            if not site.internal(link):
                continue
            target, fragment = urllib.parse.urldefrag(link)
            if target in site.pages:
                status = site.pages[target].status
                if status == 200 and fragment and urllib.parse.unquote(fragment) not in site.pages[target].ids:
                    broken.append('%s: %s: no anchor #%s there' % (site.path(page.url), site.path(target), fragment))
            else:
                status = site.resources.get(target)
            if status != 200:
                broken.append('%s: %s: HTTP %s' % (site.path(page.url), site.path(target), status))
    assert not broken, '%d broken link(s):\n%s' % (len(broken), '\n'.join(sorted(set(broken))))
    assert not site.external_requests, 'pages load from outside the site: %s' % site.external_requests


def well_formed(url):
    """Why url is not a well-formed http(s) URL of a named host, or ''."""
    if re.search(r'\s', url):
        return 'white space in it'
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port  # ValueError when not a number in range
    except ValueError as err:
        return str(err)
    if parts.scheme not in ('http', 'https'):
        return 'scheme %r' % parts.scheme
    host = parts.hostname or ''
    try:
        ipaddress.ip_address(host)
        return 'an IP address, not a host name'
    except ValueError:
        pass
    if not HOSTNAME.match(host) or '.' not in host:
        return 'host %r is not a domain name' % host
    if port is not None and not 0 < port < 65536:
        return 'port %r' % port
    return ''


def allowed(host):
    return any(host == name or host.endswith('.' + name) for name in list(ALLOWED_HOSTS) + list(EXAMPLE_DOMAINS))


def test_external_links_are_well_formed_and_allowed(site):
    external = sorted({(link, site.path(page)) for page, link in site.links() if not site.internal(link)})
    print('external links (not followed: the check is offline):')
    for link, page in external:
        print('  %s  (on %s)' % (link, page))
    problems = []
    for link, page in external:
        if link.startswith('mailto:'):
            problems.append('%s: %s: no mail addresses' % (page, link))
            continue
        reason = well_formed(link)
        if reason:
            problems.append('%s: %s: %s' % (page, link, reason))
        elif not allowed(urllib.parse.urlsplit(link).hostname):
            problems.append('%s: %s: host not on ALLOWED_HOSTS' % (page, link))
    assert not problems, '\n'.join(problems)


@pytest.mark.parametrize('url, reason', [
    ('https://docs.ansible.com/projects/ansible/devel/', ''),
    ('http://zstack-mn.example.com:5000/thirdparty/vnc_auto.html?host=1', ''),
    ('https://docs.ansible.com/a b', 'white space in it'),
    ('ftp://docs.ansible.com/', "scheme 'ftp'"),
    ('https://10.0.0.5:4900/', 'an IP address, not a host name'),
    ('https://localhost/', "host 'localhost' is not a domain name"),
    ('https://docs.ansible.com:99999/', 'Port out of range 0-65535'),
])
def test_the_url_check_tells_a_bad_url(url, reason):
    assert well_formed(url) == reason
