# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of _launcher: what goes into the self-contained launcher page, and what keeps it safe.

The page is parsed here as a browser would split it (html.parser); that it connects is the end-to-end test's job
(tests/e2e/test_launcher_standalone.py).
"""

from __future__ import annotations

import base64
import hashlib
import json
from html.parser import HTMLParser

import pytest

from ansible_collections.zstack.cloud.plugins.module_utils._console_entry import ConsoleEntry
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackConfigError
from ansible_collections.zstack.cloud.plugins.module_utils import _novnc, _spice
from ansible_collections.zstack.cloud.plugins.module_utils._launcher import (
    PROBE_MS,
    declared_client,
    launcher_supported,
    render_launcher,
    script_json,
)

VM_UUID = 'b' * 32
TOKEN = 'a' * 32 + '_' + VM_UUID
HOSTILE = 'web</script><script>alert(1)</script><!-- & "quoted" \'single\' <b>bold</b> \u2028'


def entry(**overrides):
    inventory = {'hostname': '10.0.0.5', 'port': 4900, 'token': TOKEN, 'scheme': 'http', 'targetScheme': 'vnc'}
    result = ConsoleEntry.from_inventory(VM_UUID, 'web-01', inventory)
    result['expires_at'] = '2026-11-30T16:20:00Z'
    result.update(overrides)
    return result


class Page(HTMLParser):
    """The parts of a launcher a browser acts on: title, elements by id, meta CSP, scripts, styles."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.title = ''
        self.by_id = {}
        self.attrs_by_id = {}
        self.csp = None
        self.scripts = []  # (type attribute, text)
        self.styles = []
        self._open = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == 'meta' and attrs.get('http-equiv') == 'Content-Security-Policy':
            self.csp = attrs['content']
        if tag in ('meta', 'br', 'input'):  # void elements: attributes only
            if 'id' in attrs:
                self.attrs_by_id[attrs['id']] = attrs
            return
        self._open.append((tag, attrs, []))

    def handle_endtag(self, tag):
        while self._open:
            name, attrs, parts = self._open.pop()
            text = ''.join(parts)
            if self._open:
                self._open[-1][2].append(text)
            if name == 'title':
                self.title = text
            elif name == 'script':
                self.scripts.append((attrs.get('type'), text))
            elif name == 'style':
                self.styles.append(text)
            if 'id' in attrs:
                self.by_id[attrs['id']] = text
                self.attrs_by_id[attrs['id']] = attrs
            if name == tag:
                return

    def handle_data(self, data):
        if self._open:
            self._open[-1][2].append(data)


def directives(csp):
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in csp.split(';')) if part}


def sha256_source(text):
    return "'sha256-%s'" % base64.b64encode(hashlib.sha256(text.encode('utf-8')).digest()).decode()


def data_of(page):
    blocks = [text for kind, text in page.scripts if kind == 'application/json']
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_hostile_vm_name_is_text_everywhere():
    html = render_launcher(entry(vm_instance_name=HOSTILE))
    page = Page(html)
    # Exactly our four script elements: the data block, noVNC, spice-html5 and the page's logic; the name ended none.
    assert html.lower().count('</script') == 4 and len(page.scripts) == 4
    assert html.count('<!--') == 2  # our own comments before the two clients' scripts
    assert page.title == 'Console of ' + HOSTILE
    assert page.by_id['vm-name'] == HOSTILE
    block = [text for kind, text in page.scripts if kind == 'application/json'][0]
    assert not set('<>&') & set(block), 'JSON in <script> must not carry <, > or &'
    assert data_of(page)['name'] == HOSTILE


def test_script_json_escapes_what_ends_a_script():
    text = script_json({'a': '</script><!--&'})
    assert text == '{"a": "\\u003c/script\\u003e\\u003c!--\\u0026"}'
    assert json.loads(text) == {'a': '</script><!--&'}


def test_token_only_in_the_data_block_never_in_the_title():
    html = render_launcher(entry())
    page = Page(html)
    assert html.count(TOKEN) == 1
    assert TOKEN not in page.title
    assert data_of(page)['url'] == 'ws://10.0.0.5:4900/?token=' + TOKEN


@pytest.mark.parametrize('scheme, ws', [('http', 'ws'), ('https', 'wss'), (None, 'ws')])
def test_websocket_scheme_follows_the_proxy_scheme(scheme, ws):
    inventory = {'hostname': 'proxy.example.com', 'port': 443, 'token': TOKEN}
    if scheme:
        inventory['scheme'] = scheme
    page = Page(render_launcher(ConsoleEntry.from_inventory(VM_UUID, 'web-01', inventory)))
    assert data_of(page)['url'] == '%s://proxy.example.com:443/?token=%s' % (ws, TOKEN)
    assert directives(page.csp)['connect-src'] == ['%s://proxy.example.com:443' % ws]


def test_console_proxy_tls_launcher_connects_with_wss_and_its_csp_allows_exactly_that():
    inventory = {'scheme': 'http', 'hostname': '10.0.0.5', 'port': 4900, 'token': TOKEN, 'targetScheme': 'vnc'}
    page = Page(render_launcher(ConsoleEntry.from_inventory(VM_UUID, 'web-01', inventory, proxy_tls=True)))
    assert data_of(page)['url'] == 'wss://10.0.0.5:4900/?token=' + TOKEN
    assert directives(page.csp)['connect-src'] == ['wss://10.0.0.5:4900']


def test_a_direct_console_launcher_connects_to_its_wss_path():
    # ConsoleProxyBase.doEstablishDirectConsoleConnection: targetScheme is the URL's scheme, not a protocol.
    inventory = {'scheme': 'wss', 'targetScheme': 'wss', 'hostname': 'esx-07.example.test', 'port': 443,
                 'token': '/ticket/0c5b2d1f'}
    item = ConsoleEntry.from_inventory(VM_UUID, 'vmware-01', inventory)
    assert launcher_supported(item) == (True, '')
    page = Page(render_launcher(item))
    assert data_of(page)['url'] == 'wss://esx-07.example.test:443/ticket/0c5b2d1f'
    assert directives(page.csp)['connect-src'] == ['wss://esx-07.example.test:443']


def test_csp_allows_exactly_the_page_own_scripts_style_and_one_origin():
    page = Page(render_launcher(entry()))
    policy = directives(page.csp)
    assert policy['default-src'] == ["'none'"]
    executable = [text for kind, text in page.scripts if kind is None]
    assert len(executable) == 3  # noVNC, spice-html5, the page's logic
    assert sorted(policy['script-src']) == sorted(sha256_source(text) for text in executable)
    assert policy['style-src'] == [sha256_source(page.styles[0])]
    assert policy['connect-src'] == ['ws://10.0.0.5:4900']
    assert policy['img-src'] == ['data:']  # both clients draw JPEG rectangles through data: images
    assert policy['base-uri'] == ["'none'"] and policy['form-action'] == ["'none'"]
    assert "'unsafe-inline'" not in page.csp and "'unsafe-eval'" not in page.csp


def test_ipv6_proxy_connect_src_can_only_name_the_scheme():
    page = Page(render_launcher(ConsoleEntry.from_inventory(VM_UUID, 'v6', {'hostname': 'fd00::5', 'port': 4900, 'token': TOKEN})))
    assert data_of(page)['url'] == 'ws://[fd00::5]:4900/?token=' + TOKEN
    assert directives(page.csp)['connect-src'] == ['ws:']
    assert data_of(page)['proxy'] == '[fd00::5]:4900'


def test_expiry_in_utc_for_the_page_and_its_script():
    page = Page(render_launcher(entry(expires_at='2026-11-30T16:20:00Z')))
    assert page.attrs_by_id['expires']['datetime'] == '2026-11-30T16:20:00Z'
    assert page.by_id['expires'] == '2026-11-30 16:20:00 UTC'
    data = data_of(page)
    assert data['expires_at'] == '2026-11-30T16:20:00Z' and data['expires_utc'] == '2026-11-30 16:20:00 UTC'


@pytest.mark.parametrize('value', [None, '', 'Nov 28, 2026 5:21:20 PM', '2026-11-30T16:20:00+08:00',
                                   '2026-11-30T16:20:00Z"><script>'])
def test_expiry_unknown_or_unusable_is_shown_as_unknown(value):
    item = entry()
    item.pop('expires_at')
    if value is not None:
        item['expires_at'] = value
    page = Page(render_launcher(item))
    assert page.by_id['expires'] == 'unknown' and page.attrs_by_id['expires']['datetime'] == ''
    assert data_of(page)['expires_at'] is None


def test_fractional_seconds_are_accepted():
    page = Page(render_launcher(entry(expires_at='2026-11-30T16:20:00.250Z')))
    assert page.by_id['expires'] == '2026-11-30 16:20:00 UTC'


def test_name_falls_back_to_the_uuid():
    item = entry()
    item.pop('vm_instance_name')
    assert Page(render_launcher(item)).by_id['vm-name'] == VM_UUID


@pytest.mark.parametrize('target, declared', [(None, None), ('', None), ('vnc', None), ('VNC', None),
                                              ('spice', 'spice'), ('SPICE', 'spice')])
def test_vnc_and_spice_consoles_are_supported(target, declared):
    """Both get a launcher. A declared SPICE console goes to spice-html5 directly; anything else is probed, since
    open-source ZStack declares every console 'vnc' (KVMConsoleHypervisorBackend.java)."""
    assert launcher_supported(entry(target_scheme=target)) == (True, '')
    assert declared_client(entry(target_scheme=target)) == declared
    data = data_of(Page(render_launcher(entry(target_scheme=target))))
    assert data['declared'] == declared and data['probe_ms'] == PROBE_MS


@pytest.mark.parametrize('target', ['http', 'rdp', 'x' * 300])
def test_other_console_protocols_get_no_launcher_and_a_reason(target):
    supported, why = launcher_supported(entry(target_scheme=target))
    assert supported is False and 'VNC and SPICE only' in why and 'ZStack UI' in why
    assert repr(target[:20]) in why and TOKEN not in why and len(why) < 160
    with pytest.raises(ZStackConfigError) as caught:
        render_launcher(entry(target_scheme=target))
    assert why in caught.value.msg and TOKEN not in caught.value.msg


@pytest.mark.parametrize('overrides, words', [
    ({'token': None}, 'no console was created'),
    ({'scheme': 'vnc'}, 'neither http'),  # a scheme ZStack's console code does not have
    ({'hostname': "evil.example; connect-src *"}, 'not a host name'),
    ({'hostname': 'a b'}, 'not a host name'),
    ({'port': 0}, 'not a TCP port'),
    ({'port': 'x'}, 'not a TCP port'),
    ({'port': 70000}, 'not a TCP port'),
    ({'websocket_url': None}, 'websocket_url'),
    ({'websocket_url': 'ws://other.example:4900/?token=' + TOKEN}, 'websocket_url'),
    ({'scheme': 'wss'}, 'wss:// URL'),  # a direct console is never reached with ws://
    ({'websocket_url': 'http://10.0.0.5:4900/?token=' + TOKEN}, 'websocket_url'),
    ({'websocket_url': 'ws://10.0.0.5:4900/?token="><script>'}, 'websocket_url'),
])
def test_entries_a_launcher_cannot_use_say_why(overrides, words):
    supported, why = launcher_supported(entry(**overrides))
    assert supported is False and words in why
    assert TOKEN not in why
    with pytest.raises(ZStackConfigError):
        render_launcher(entry(**overrides))


def test_rendering_is_deterministic():
    assert render_launcher(entry()) == render_launcher(entry())


def test_page_scripts_run_from_the_bundle_globals():
    page = Page(render_launcher(entry()))
    novnc, spice, app = [text for kind, text in page.scripts if kind is None]
    assert novnc == _novnc.script() and 'window.ZStackRFB=' in novnc
    assert spice == _spice.script() and 'window.ZStackSpice=' in spice
    assert 'new window.ZStackRFB(' in app and "wsProtocols: ['binary']" in app
    assert 'new window.ZStackSpice.SpiceMainConn(' in app and "screen_id: 'screen'" in app
    # The probe: the far end's first bytes "RFB " mean VNC; silence for probe_ms means SPICE.
    assert "new WebSocket(data.url, ['binary'])" in app and "=== 'RFB '" in app and 'data.probe_ms' in app


def test_the_clients_licences_are_named_next_to_their_scripts():
    html = render_launcher(entry())
    assert '<!-- noVNC %s RFB client, MPL-2.0' % _novnc.VERSION in html
    assert '<!-- spice-html5 %s SPICE client, LGPL-3.0-or-later' % _spice.VERSION in html
    assert _spice.script().startswith('/*! spice-html5 0.3.0 SPICE client (Debian spice-html5 0.3.0-2')


def test_password_prompt_is_there_hidden_and_posts_nowhere():
    page = Page(render_launcher(entry()))
    form = page.attrs_by_id['password-form']
    assert 'hidden' in form and 'action' not in form
    assert page.attrs_by_id['password']['type'] == 'password'
    assert "form-action 'none'" in page.csp
