# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The pure parts of zstack_console_files (and so of the console_files role): no file is touched here.

What each operator gets - file names made from VM names, launchers, JSON documents, the index page - the manifest
of what was written, root's record of the API sessions behind the tokens (the ledger), which sessions to end on
revocation, and the one-line messages (with tokens taken out) the role shows.

Files are ``{name: bytes}``; the module (plugins/modules/zstack_console_files.py) compares them with what is on disk
and writes them with ``_io``.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
import unicodedata
from datetime import datetime, timedelta
from urllib.parse import quote

from ansible_collections.zstack.cloud.plugins.module_utils._console_urls import console_url
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackError
from ansible_collections.zstack.cloud.plugins.module_utils._launcher import (
    declared_client,
    launcher_supported,
    render_launcher,
)
from ansible_collections.zstack.cloud.plugins.module_utils._timezone import iso_utc

MANAGED_BY = 'zstack.cloud.console_files'
MANIFEST_NAME = '.zstack-console-files.json'
INDEX_NAME = 'index.html'
# Root's record of the sessions behind the tokens written for one operator: <prefix><uid>.json in the ledger dir.
LEDGER_PREFIX = 'uid-'
DEFAULT_DIRNAME = 'zstack-consoles'
DEFAULT_LIFETIME = 1800
REVOKE_CHOICES = ('owned', 'all', 'none')

UUID_RE = re.compile(r'^[0-9a-fA-F]{32}$')
# A console token is "<session uuid>_<vm uuid>" (docs/zstack-api-notes.md): anything that looks like one is a
# credential, and so is a bare session UUID next to the word "session" or after "OAuth".
TOKEN_RE = re.compile(r'[0-9a-fA-F]{32}_[0-9a-fA-F]{32}')
SESSION_RE = re.compile(r'(?i)((?:sessions?|oauth)[^0-9a-zA-Z]{0,12}(?:uuid[^0-9a-zA-Z]{0,3})?)[0-9a-f]{32}')
REDACTED = '<redacted>'

# A stem made from a VM name keeps at most this many bytes of UTF-8 before a collision suffix, so that
# stem + "-<32 hex>-NN.json" and the writer's temporary name stay far below NAME_MAX (255).
STEM_MAX_BYTES = 100
RESERVED_STEMS = frozenset(['index'])
SUFFIXES = ('.html', '.json')
# A token lives for minutes: an expiry far outside that is most likely a time zone mix-up.
PLAUSIBLE_EXPIRY = (timedelta(minutes=-5), timedelta(days=2))


class ConsoleFilesError(ZStackError):
    """Input the module cannot write files from; the message names the operator or VM, never a token."""


# ------------------------------------------------------------------ file names

def safe_stem(name, fallback):
    """A VM name made safe as a file name stem.

    Letters and digits of any script, '.', '_' and '-' stay; every other run of characters (path separators,
    spaces, control and format characters, quotes, markup) becomes one '_'. Runs of dots collapse to one; leading
    dots, dashes and underscores go (no hidden files, no '..', nothing that looks like an option). Empty results
    and reserved stems fall back to ``fallback`` (the VM UUID).
    """
    out = []
    for char in unicodedata.normalize('NFC', str(name or '')):
        if char in '._-' or (unicodedata.category(char)[0] in 'LN' and char.isprintable()):
            out.append(char)
        elif not out or out[-1] != '_':
            out.append('_')
    stem = re.sub(r'_{2,}', '_', re.sub(r'\.{2,}', '.', ''.join(out))).lstrip('._-')
    stem = stem.encode('utf-8')[:STEM_MAX_BYTES].decode('utf-8', errors='ignore').rstrip('._-')
    if not stem or not any(unicodedata.category(c)[0] in 'LN' for c in stem):
        stem = fallback
    return stem


def assign_stems(items):
    """Distinct stems for ``items`` (dicts with 'name' and 'uuid'), compared case-insensitively.

    VMs whose stems collide all get "-<first 8 hex of their UUID>" (so no VM's file name depends on the order of
    the list), then "-<whole UUID>", then a counter, until every stem is unique and none is reserved.
    """
    bases = [safe_stem(item.get('name'), item['uuid']) for item in items]
    counts = {}
    for base in bases:
        counts[base.casefold()] = counts.get(base.casefold(), 0) + 1
    used = set(RESERVED_STEMS)
    stems = []
    for base, item in zip(bases, items):
        candidates = [base] if counts[base.casefold()] == 1 else []
        candidates += ['%s-%s' % (base, item['uuid'][:8]), '%s-%s' % (base, item['uuid'])]
        stem = next((c for c in candidates if c.casefold() not in used), None)
        number = 2
        while stem is None:
            candidate = '%s-%s-%d' % (base, item['uuid'], number)
            stem = candidate if candidate.casefold() not in used else None
            number += 1
        used.add(stem.casefold())
        stems.append(stem)
    return stems


def is_written_name(name):
    """Whether ``name`` is one the module writes in an operator's directory (the index, or <stem>.html/.json).

    The manifest lives in a directory the operator controls: only such names are believed from it, so state=absent
    never removes anything else.
    """
    if not isinstance(name, str) or name == MANIFEST_NAME:
        return False
    if name == INDEX_NAME:
        return True
    stem, suffix = name[:-5], name[-5:]
    return suffix in SUFFIXES and bool(stem) and safe_stem(stem, '') == stem and len(name.encode('utf-8')) < 200


def display_name(name):
    """``name`` for showing: control and format characters (a bell, a right-to-left override) become U+FFFD."""
    return ''.join('\ufffd' if unicodedata.category(c) in ('Cc', 'Cf', 'Cs', 'Co', 'Cn') else c for c in str(name))


def ledger_name(uid):
    """File name of an operator's session record in the ledger directory: by uid, never by a name."""
    return '%s%d.json' % (LEDGER_PREFIX, int(uid))


def check_dirname(dirname):
    if not dirname or '/' in dirname or dirname in ('.', '..') or '\x00' in dirname:
        raise ConsoleFilesError('dirname must be a single directory name, got %r' % dirname)


def operator_dest(name, dest, home, dirname):
    """The operator's directory: ``dest``, else ``<home>/<dirname>``, normalised; absolute and not /."""
    if dest in (None, ''):
        if not home:
            raise ConsoleFilesError('operator %r: no home directory on the target; give dest' % name)
        dest = posixpath.join(home, dirname)
    if not dest.startswith('/') or '\x00' in dest:
        raise ConsoleFilesError('operator %r: dest %r must be an absolute path' % (name, dest))
    dest = '/' + posixpath.normpath(dest).lstrip('/')
    if dest == '/':
        raise ConsoleFilesError('operator %r: dest must not be the root directory' % name)
    return dest


# ------------------------------------------------------------------ time and sessions

def parse_iso(text):
    """An aware datetime from ISO 8601 text with a zone (Z or an offset), else None."""
    if not isinstance(text, str) or not text.strip():
        return None
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text[:-1] + '+00:00' if text[-1:] in 'Zz' else text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def console_expiry(entry, now, lifetime):
    """(expires_at, source, warning) of one console entry.

    ``expires_at`` of the entry (zstack_console_access reads the server's expiredDate in the node's zone) when it
    has one (source ``server``), else ``now`` plus ``lifetime`` seconds (source ``lifetime``).
    """
    vm = entry.get('vm_instance_name') or entry.get('vm_instance_uuid')
    given = entry.get('expires_at')
    moment = parse_iso(given)
    if moment is not None:
        warning = None
        if not now + PLAUSIBLE_EXPIRY[0] <= moment <= now + PLAUSIBLE_EXPIRY[1]:
            warning = ('the console of VM %s expires at %s, which is implausible for a token asked for now (%s); is '
                       "the ZStack node's time zone right (the connection's server_timezone)?"
                       % (vm, iso_utc(moment), iso_utc(now)))
        return iso_utc(moment), 'server', warning
    warning = None
    if given not in (None, ''):
        warning = 'cannot read the expiry %r of the console of VM %s; using now plus %d s' % (given, vm, lifetime)
    return iso_utc(now + timedelta(seconds=lifetime)), 'lifetime', warning


def token_session(token):
    """The API session a console token embeds - the 32 hex characters before its first '_' - or None."""
    if not isinstance(token, str):
        return None
    head, sep, _rest = token.strip().partition('_')
    return head.lower() if sep and UUID_RE.match(head) else None


# ------------------------------------------------------------------ the plan of one operator's files

def _matching(ref, consoles):
    """The entries for one of an operator's VM references: a UUID, a name, or a query item (``{query: [...]}``)."""
    if isinstance(ref, dict):
        # zstack_console_access marks the VMs a query item selected with its conditions (vm_query).
        conditions = ref.get('query')
        conditions = [conditions] if isinstance(conditions, str) else list(conditions or [])
        return [c for c in consoles if c.get('vm_query') == conditions], 'query %s' % ', '.join(map(str, conditions))
    ref = str(ref).strip()
    if not ref:
        return [], None
    if UUID_RE.match(ref):
        return [c for c in consoles if str(c.get('vm_instance_uuid') or '').lower() == ref.lower()][:1], ref
    return [c for c in consoles if c.get('vm_instance_name') == ref][:1], ref


def pick_consoles(operator, vms, consoles):
    """The console entries for ``operator``'s VM references (UUIDs, names, query items), each VM once, in order."""
    chosen = []
    for ref in vms or []:
        matches, label = _matching(ref, consoles)
        if label is None:
            continue  # an empty reference
        if not matches:
            raise ConsoleFilesError('operator %r: no console was given for VM %r (every host of the play must list '
                                    'the same operators: the role asks ZStack once)' % (operator, label))
        for console in matches:
            if console.get('failed'):
                raise ConsoleFilesError('operator %r: VM %r failed: %s'
                                        % (operator, label, redact(console.get('msg') or '')))
            if not UUID_RE.match(str(console.get('vm_instance_uuid') or '')):
                raise ConsoleFilesError('operator %r: the console for VM %r has no vm_instance_uuid' % (operator, label))
            if all(c['vm_instance_uuid'].lower() != console['vm_instance_uuid'].lower() for c in chosen):
                chosen.append(console)  # the same VM by name, by UUID or by a query: one set of files
    return chosen


def plan_files(operator, consoles, now, novnc_url='', novnc_style='auto', lifetime=DEFAULT_LIFETIME, owned=()):
    """Everything one operator gets, from the console entries of their VMs (``pick_consoles``).

    Returns ``{'records', 'files', 'sessions', 'warnings'}``: ``records`` describe each console without a secret
    (names, expiry, and why there is no launcher if there is none), ``files`` maps each file name to its content
    (None when not known: an entry without a token, in check mode), ``sessions`` maps each session a token embeds
    to whether the role opened it - the entry's ``session_owned``, or ``owned`` (sessions root's record says the
    role opened: ZStack hands out a VM's live console again, with the token of the session that opened it).
    """
    stems = assign_stems([{'name': c.get('vm_instance_name'), 'uuid': c['vm_instance_uuid'].lower()}
                          for c in consoles])
    records, files, sessions, warnings = [], {}, {}, []
    for entry, stem in zip(consoles, stems):
        uuid = entry['vm_instance_uuid'].lower()
        name = entry.get('vm_instance_name')
        expires_at, source, warning = console_expiry(entry, now, lifetime)
        if warning:
            warnings.append(warning)
        session = token_session(entry.get('token'))
        session_owned = entry.get('session_owned') is True or (session is not None and session in owned)
        if session is not None:
            sessions[session] = sessions.get(session, False) or session_owned
        record = {'vm_instance_uuid': uuid, 'vm_instance_name': name,
                  'title': display_name(name) if name else uuid, 'launcher': stem + '.html', 'json': stem + '.json',
                  'expires_at': expires_at, 'expires_at_source': source, 'no_launcher': None}
        target = entry.get('target_scheme')
        supported, why = launcher_supported(entry) if entry.get('token') else (True, '')
        if not supported:
            record.update(launcher=None, no_launcher=why)
            warnings.append('operator %s, VM %s: no launcher written: %s' % (operator, record['title'], why))
        launcher_url = None
        if entry.get('token'):
            # The name as shown: control and format characters (a bell, a right-to-left override) made visible.
            launcher = dict(entry, expires_at=expires_at, vm_instance_name=record['title'])
            # A noVNC page cannot open a console declared SPICE: it gets the self-contained launcher, which can.
            if record['launcher'] and novnc_url and not declared_client(entry):
                launcher_url = console_url(launcher, page_url=novnc_url, style=novnc_style)
                files[record['launcher']] = page_launcher_html(record, operator, launcher_url).encode('utf-8')
            elif record['launcher']:
                files[record['launcher']] = render_launcher(launcher).encode('utf-8')
            document = {
                'vm_instance_uuid': uuid,
                'vm_instance_name': name,
                'target_scheme': target,
                'scheme': entry.get('scheme'),
                'hostname': entry.get('hostname'),
                'port': entry.get('port'),
                'token': entry['token'],
                'websocket_url': entry.get('websocket_url'),
                'launcher': record['launcher'],
                'launcher_url': launcher_url,
                'no_launcher': record['no_launcher'],
                'expires_at': expires_at,
                'expires_at_source': source,
                'session_owned': session_owned,
                'operator': operator,
                'managed_by': MANAGED_BY,
            }
            files[record['json']] = dumps(document)
        else:  # check mode: the server only validated; what would be written is not known
            if record['launcher']:
                files[record['launcher']] = None
            files[record['json']] = None
        records.append(record)
    files[INDEX_NAME] = index_html(operator, records).encode('utf-8')
    return {'records': records, 'files': files, 'sessions': sessions, 'warnings': warnings}


def dumps(document):
    """A JSON file's bytes: indented, UTF-8, with a final newline."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + '\n').encode('utf-8')


def loads(content):
    """A JSON object this module wrote (``managed_by``), from a file's bytes; {} for anything else."""
    if not content:
        return {}
    try:
        data = json.loads(content.decode('utf-8'))
    except ValueError:
        return {}
    return data if isinstance(data, dict) and data.get('managed_by') == MANAGED_BY else {}


# ------------------------------------------------------------------ pages

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
        rows.append('<tr><td>%s</td><td><code>%s</code></td><td><time datetime="%s">%s</time></td></tr>'
                    % (vm, escape(record['vm_instance_uuid']), escape(record['expires_at']),
                       escape(record['expires_at'])))
    body = '\n'.join(rows) or '<tr><td colspan="3">No consoles.</td></tr>'
    return (_PAGE_HEAD % {'csp': "default-src 'none'; style-src 'unsafe-inline'",
                          'title': 'ZStack consoles for %s' % escape(operator)}
            + '<h1>ZStack consoles for %s</h1>\n' % escape(operator)
            + '<p>Each link opens the VM\'s console in the browser until the time shown (UTC); after that, ask for new '
              'ones.</p>\n<table>\n<thead><tr><th>VM</th><th>UUID</th><th>Expires (UTC)</th></tr></thead>\n<tbody>\n'
            + body + '\n</tbody>\n</table>\n</body>\n</html>\n')


# ------------------------------------------------------------------ the manifest and what changes

def file_changes(planned, current, old_files, present):
    """What writing ``planned`` ({name: content, None when not known}) into a directory changes.

    ``current`` maps names to what is there now (the content of a plain 0600 file of the operator's, else None),
    ``old_files`` is what the old manifest lists and ``present`` the names that exist. Returns (write, unchanged,
    stale): the files to write (their content differs, is not known, or what is there is not a plain file of the
    operator's), those left as they are, and the old files no longer planned that are still there.
    """
    write = [name for name, content in planned.items() if content is None or current.get(name) != content]
    unchanged = [name for name in planned if name not in write]
    stale = [name for name in old_files if name not in planned and name in present]
    return write, unchanged, stale


def read_manifest(content):
    """``{'files', 'created_dir'}`` from an old manifest's bytes, or None when there is none of ours.

    Only names the module writes are believed (``is_written_name``): the operator may have changed the file.
    """
    data = loads(content)
    if not data:
        return None
    files = [name for name in data.get('files') or [] if is_written_name(name)]
    return {'files': list(dict.fromkeys(files)), 'created_dir': data.get('created_dir') is True}


def manifest_bytes(operator, files, created_dir):
    return dumps({'managed_by': MANAGED_BY, 'version': 1, 'operator': operator, 'created_dir': bool(created_dir),
                  'files': list(files)})


# ------------------------------------------------------------------ the ledger and revocation

def ledger_sessions(document):
    """{session uuid: {'owned', 'recorded_at'}} from an operator's session record ({} when unreadable)."""
    sessions = {}
    for entry in document.get('sessions') or []:
        if not isinstance(entry, dict) or not isinstance(entry.get('uuid'), str) or not UUID_RE.match(entry['uuid']):
            continue
        known = sessions.setdefault(entry['uuid'].lower(), {'owned': False, 'recorded_at': entry.get('recorded_at')})
        known['owned'] = known['owned'] or entry.get('owned') is True
    return sessions


def merge_ledger(document, sessions, operator, uid, now):
    """An operator's session record after this run: the old sessions, then the new ones; owned once, owned for good."""
    merged = ledger_sessions(document)
    for uuid, owned in sessions.items():
        entry = merged.setdefault(uuid, {'owned': False, 'recorded_at': iso_utc(now)})
        entry['owned'] = entry['owned'] or owned
    return {'managed_by': MANAGED_BY, 'version': 1, 'operator': operator, 'uid': uid,
            'sessions': [{'uuid': uuid, 'owned': entry['owned'], 'recorded_at': entry['recorded_at']}
                         for uuid, entry in merged.items()]}


def sessions_to_end(ledgers, documents, revoke):
    """The API sessions behind the tokens written, each once, and whether to end it.

    ``ledgers`` are root's records (documents), ``documents`` ``(path, document)`` pairs of the operators' JSON
    files. Only root's record says whether the role opened a session: an operator's file - which the operator may
    have changed - adds sessions to look at, never ownership. ``revoke``: ``owned`` ends the sessions the role opened,
    ``all`` every one, ``none`` none. Returns ``[{'session_uuid', 'owned', 'end', 'files'}]`` (``files``: the JSON
    files whose tokens embed it).
    """
    if revoke not in REVOKE_CHOICES:
        raise ConsoleFilesError('revoke must be one of %s, got %r' % (', '.join(REVOKE_CHOICES), revoke))
    found = {}
    for document in ledgers:
        for uuid, entry in ledger_sessions(document).items():
            session = found.setdefault(uuid, {'session_uuid': uuid, 'owned': False, 'files': []})
            session['owned'] = session['owned'] or entry['owned']
    for path, document in documents:
        uuid = token_session(document.get('token'))
        if uuid is not None:
            found.setdefault(uuid, {'session_uuid': uuid, 'owned': False, 'files': []})['files'].append(path)
    for session in found.values():
        session['end'] = revoke == 'all' or (revoke == 'owned' and session['owned'])
    return list(found.values())


REVOKE_WHAT = {'owned': 'sessions the role opened', 'all': 'every session', 'none': 'revocation off'}


def revocation_summary(sessions, revoke):
    """What revocation ends and what it leaves working, for the play's output: file paths, never a session.

    It follows "Ended <number> " in the role's output.
    """
    text = 'API session(s) behind the tokens (%s, console_files_revoke=%s)' % (REVOKE_WHAT[revoke], revoke)
    kept = [s for s in sessions if not s['end']]
    if kept:
        files = sorted(set(path for s in kept for path in s['files']))
        text += ('; kept %d session(s) %s, whose tokens still work (%s%s)'
                 % (len(kept), 'the role did not open' if revoke == 'owned' else 'not ended', ', '.join(files)
                    or 'no file left', '; console_files_revoke=all ends them too' if revoke != 'all' else ''))
    return text


# ------------------------------------------------------------------ messages without secrets

def redact(text):
    """``text`` with console tokens and session UUIDs replaced by <redacted>."""
    text = TOKEN_RE.sub(REDACTED, str(text))
    return SESSION_RE.sub(lambda m: m.group(1) + REDACTED, text)


def _dig(value, path):
    for key in str(path).split('.'):
        if isinstance(value, (list, tuple)) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        elif isinstance(value, dict) and key in value:
            value = value[key]
        else:
            return '?'
    return str(value)


def failure_message(result, what='zstack_console_access', item_label=None):
    """A one-paragraph failure message from a failed task result, with no token in it.

    Knows the module's result (msg, per-VM zstack_consoles entries with failed and msg, the API error code) and
    loop results (results[] with failed and msg). A loop item is named by its label, or, under no_log (which hides
    the label), by ``item_label``: dotted paths into the item, joined by ': '.
    """
    if not isinstance(result, dict):
        return redact('%s failed: %s' % (what, result))
    entries = [e for e in result.get('zstack_consoles') or [] if isinstance(e, dict)]
    failed_vms = [e for e in entries if e.get('failed')]
    if failed_vms:
        reasons = []
        for entry in failed_vms:
            vm = str(entry.get('vm_instance_name') or entry.get('vm_instance_uuid') or '?')
            text = str(entry.get('msg') or 'failed')
            prefix = 'VM %s: ' % vm
            text = text[len(prefix):] if text.startswith(prefix) else text
            code = entry['error'].get('code') if isinstance(entry.get('error'), dict) else None
            if code and str(code) not in text:
                text += ' [%s]' % code
            reasons.append((vm, text))
        count = 'all %d' % len(entries) if len(failed_vms) == len(entries) else '%d of %d' % (len(failed_vms), len(entries))
        if len(set(reason for _vm, reason in reasons)) == 1 and len(failed_vms) > 1:
            message = '%s failed for %s VMs (%s): %s' % (what, count, ', '.join(vm for vm, _r in reasons), reasons[0][1])
        else:
            message = '%s failed for %s VMs: %s' % (what, count, '; '.join('VM %s: %s' % pair for pair in reasons))
        return redact(message)
    message = '%s failed' % what
    msg = result.get('msg')
    if msg:
        message += ': %s' % msg
    error = result.get('error')
    if isinstance(error, dict) and error.get('code') and str(error['code']) not in str(msg):
        message += ' [%s]' % error['code']
    items = []
    for item in result.get('results') or []:
        if isinstance(item, dict) and item.get('failed'):
            label = item.get('_ansible_item_label')
            if item_label:
                paths = [item_label] if isinstance(item_label, str) else list(item_label)
                label = ': '.join(_dig(item.get('item'), path) for path in paths)
            items.append('%s: %s' % (label if isinstance(label, str) else '?', item.get('msg') or 'failed'))
    if items:
        message += ' - %s' % '; '.join(items)
    if result.get('unreachable'):
        message += ' (host unreachable)'
    return redact(message)
