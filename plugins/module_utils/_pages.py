# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The small HTML pages zstack_console_files writes beside the launchers (``_launcher``): an operator's index of
consoles, and the page-based launcher that sends the browser on to a noVNC page (with ``novnc_url``).

Both have a Content-Security-Policy that allows nothing but their own inline style (and, for the launcher, its
inline script), send no referrer, and escape every value they show. The index carries no token.
"""

from __future__ import annotations

import html
from urllib.parse import quote

from ansible_collections.zstack.cloud.plugins.module_utils._bridge_files import INDEX_NOTE, bridge_command

_PAGE_HEAD = '''<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<meta http-equiv="Content-Security-Policy" content="%(csp)s">
<title>%(title)s</title>
<style>
body { font-family: sans-serif; margin: 2em; }
code { font-size: 90%%; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: .3em .6em; text-align: left; }
</style>
</head>
<body>
'''

# The page-based launcher: sends the browser on to the noVNC page, unless the token has expired.
_REDIRECT = '''<h1>Console of %(title)s</h1>
<p>VM <code>%(uuid)s</code>, for %(operator)s.</p>
<p><a id="console" href="%(url)s">Open the console</a></p>
<p>Works until <time id="expires" datetime="%(expires)s">%(expires)s</time><span id="local"></span>.</p>
<p id="expired" hidden><strong>This console link has expired.</strong> Ask for a new one (run the playbook again).</p>
<script>
(function () {
  var link = document.getElementById('console');
  var expires = Date.parse(document.getElementById('expires').getAttribute('datetime'));
  if (!isNaN(expires)) {
    document.getElementById('local').textContent = ' (' + new Date(expires).toLocaleString() + ' here)';
    if (Date.now() > expires) {
      document.getElementById('expired').hidden = false;
      return;
    }
  }
  window.location.replace(link.href);
})();
</script>
</body>
</html>
'''


def page_launcher_html(record, operator, url):
    """A launcher that opens ``url`` (a noVNC page with the console's parameters) unless the token has expired."""
    escape = html.escape
    return (_PAGE_HEAD % {'csp': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
                          'title': 'Console of %s' % escape(record['title'])}
            + _REDIRECT % {'title': escape(record['title']), 'uuid': escape(record['vm_instance_uuid']),
                           'operator': escape(operator), 'url': escape(url), 'expires': escape(record['expires_at'])})


def index_html(operator, records):
    """An operator's consoles: names, expiry and links to the launchers. No token here."""
    escape = html.escape
    rows = []
    for record in records:
        if record['launcher']:
            vm = '<a href="%s">%s</a>' % (escape(quote(record['launcher'])), escape(record['title']))
        else:
            vm = '%s<br><small>No launcher: %s</small>' % (escape(record['title']), escape(record['no_launcher']))
        rows.append('<tr><td>%s</td><td><code>%s</code></td><td><time datetime="%s">%s</time></td>'
                    '<td><code>%s</code></td></tr>'
                    % (vm, escape(record['vm_instance_uuid']), escape(record['expires_at']),
                       escape(record['expires_at']), escape(bridge_command(record['json'][:-5]))))
    body = '\n'.join(rows) or '<tr><td colspan="4">No consoles.</td></tr>'
    return (_PAGE_HEAD % {'csp': "default-src 'none'; style-src 'unsafe-inline'",
                          'title': 'ZStack consoles for %s' % escape(operator)}
            + '<h1>ZStack consoles for %s</h1>\n' % escape(operator)
            + '<p>Each link opens the VM\'s console in the browser until the time shown (UTC); after that, ask for new '
              'ones.</p>\n' + INDEX_NOTE + '<table>\n<thead><tr><th>VM</th><th>UUID</th><th>Expires (UTC)</th>'
              '<th>Native viewer</th></tr></thead>\n<tbody>\n'
            + body + '\n</tbody>\n</table>\n</body>\n</html>\n')
