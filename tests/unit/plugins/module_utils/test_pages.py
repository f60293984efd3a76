# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""_pages: an operator's index and the page launcher - escaped, no referrer, a policy that allows no connection."""

from __future__ import annotations

import re

from ansible_collections.zstack.cloud.plugins.module_utils._pages import index_html, page_launcher_html

WEB01 = '374f25061ea8462da5c428fcb2aa243c'
WEB02 = 'a0d4ebf1259e4272892b996261cc9a21'
EXPIRES = '2026-11-30T16:30:00Z'


def record(uuid, title, launcher, no_launcher=None, json_name='web.json'):
    return {'vm_instance_uuid': uuid, 'title': title, 'launcher': launcher, 'json': json_name, 'expires_at': EXPIRES,
            'no_launcher': no_launcher}


def policy(page):
    return re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page).group(1)


def test_index_escapes_names_and_links_each_launcher():
    page = index_html('<alice>', [record(WEB01, '<b>web</b>', 'b web#1.html', json_name='b_web_1.json'),
                                  record(WEB02, 'spice-01', None, 'speaks "spice" & not VNC', 'spice-01.json')])
    assert '<title>ZStack consoles for &lt;alice&gt;</title>' in page
    assert '<a href="b%20web%231.html">&lt;b&gt;web&lt;/b&gt;</a>' in page
    assert 'spice-01<br><small>No launcher: speaks &quot;spice&quot; &amp; not VNC</small>' in page
    assert page.count('<time datetime="%s">%s</time>' % (EXPIRES, EXPIRES)) == 2
    assert policy(page) == "default-src 'none'; style-src 'unsafe-inline'"  # no script at all
    assert '<meta name="referrer" content="no-referrer">' in page and '<script' not in page
    # Each console's native-viewer command, run in the directory (the bridge, zstack-console).
    assert '<code>python3 zstack-console b_web_1</code>' in page and '<code>python3 zstack-console spice-01</code>' in page


def test_index_of_no_consoles_says_so():
    assert '<tr><td colspan="4">No consoles.</td></tr>' in index_html('alice', [])


def test_page_launcher_links_the_url_once_and_connects_nowhere_itself():
    url = 'http://bastion:6080/vnc.html#path=%3Ftoken%3Dt&title=a"b'
    page = page_launcher_html(record(WEB01, 'web<01>', 'web_01_.html'), 'alice', url)
    assert '<a id="console" href="http://bastion:6080/vnc.html#path=%3Ftoken%3Dt&amp;title=a&quot;b">' in page
    assert page.count('vnc.html') == 1
    assert '<h1>Console of web&lt;01&gt;</h1>' in page and '<title>Console of web&lt;01&gt;</title>' in page
    assert '<time id="expires" datetime="%s">' % EXPIRES in page
    # Scripts and styles inline only: no connection, no image, no frame from the page itself.
    assert policy(page) == "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'"
    assert '<meta name="referrer" content="no-referrer">' in page
