# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters behind the zstack.cloud.console_files role.

Everything here is pure data work on the controller: file names made safe from VM names, expiry times,
noVNC launcher URLs, the manifest of files the role wrote, the record of the API sessions behind the tokens it
wrote (and which of them to end), and failure messages with the tokens taken out.
Documentation: one ``<filter name>.yml`` beside this file per filter.
"""

from __future__ import annotations

import base64
import binascii
import json
import posixpath
import re
import unicodedata
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, urlsplit, urlunsplit

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text
from ansible.utils.display import Display

display = Display()

MANAGED_BY = 'zstack.cloud.console_files'
MANIFEST_NAME = '.zstack-console-files.json'
# The record of API sessions behind the tokens written for one operator, kept by root outside the operator's reach
# (console_files_ledger_dir): <prefix><uid>.json.
LEDGER_PREFIX = 'uid-'
INDEX_NAME = 'index.html'
DEFAULT_DIRNAME = 'zstack-consoles'
DEFAULT_LIFETIME = 1800
ZSTACK_UI_PORT = 5000
ZSTACK_UI_PATH = '/thirdparty/vnc_auto.html'

UUID_RE = re.compile(r'^[0-9a-fA-F]{32}$')
# A console token is "<session uuid>_<vm uuid>" (see docs/zstack-api-notes.md); anything that looks like one
# is a credential.
TOKEN_RE = re.compile(r'[0-9a-fA-F]{32}_[0-9a-fA-F]{32}')
# A bare session UUID next to the word "session" (e.g. "session[uuid:...] expired", ".../accounts/sessions/<uuid>")
# or after "OAuth".
SESSION_RE = re.compile(r'(?i)((?:sessions?|oauth)[^0-9a-zA-Z]{0,12}(?:uuid[^0-9a-zA-Z]{0,3})?)[0-9a-f]{32}')
REDACTED = '<redacted>'

# File names: the stem made from a VM name keeps letters, digits, '.', '_' and '-', at most this many bytes
# in UTF-8 before a collision suffix is added (so stem + "-<32 hex uuid>-NN.json" stays far below NAME_MAX).
STEM_MAX_BYTES = 100
# The stem of the index page; a VM called "index" must not overwrite it.
RESERVED_STEMS = frozenset(['index'])
# What a file name written by this role looks like; the manifest is trusted only for names like these.
WRITTEN_NAME_RE = re.compile(r'^[^/\x00-\x1f\x7f.][^/\x00-\x1f\x7f]*\.(?:html|json)$')

MONTHS = {name: number for number, name in enumerate(
    ('jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'), start=1)}
# java.util.Date as Gson writes it by default (DateFormat.DEFAULT, en_US): "Nov 28, 2026 5:21:20 PM";
# newer JDKs (CLDR) add a comma after the year and put a narrow no-break space before AM/PM.
JAVA_DATE_RE = re.compile(
    r'^(?P<mon>[A-Za-z]{3})[A-Za-z]*\.? +(?P<day>\d{1,2}), *(?P<year>\d{4}),? +'
    r'(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))? *(?P<ampm>[AaPp][Mm])$')

NOVNC_STYLES = ('auto', 'novnc', 'zstack')
PARAM_PLACES = ('fragment', 'query')


# ------------------------------------------------------------------ time

def _utc_offset(spec):
    """A tzinfo from '', 'local', 'UTC', 'Z', '+08:00', '-0530' or an IANA name like 'Asia/Shanghai'."""
    spec = (spec or '').strip()
    if spec in ('', 'local'):
        return None  # the controller's local time zone, resolved per datetime by astimezone()
    if spec.upper() in ('UTC', 'Z', 'GMT'):
        return timezone.utc
    match = re.match(r'^([+-])(\d{2}):?(\d{2})$', spec)
    if match:
        delta = timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
        return timezone(-delta if match.group(1) == '-' else delta)
    try:
        from zoneinfo import ZoneInfo
        return ZoneInfo(spec)
    except Exception as err:  # ZoneInfoNotFoundError, ValueError for odd keys
        raise AnsibleFilterError('server_timezone: %r is not "local", "UTC", an offset like "+08:00" or a '
                                 'time zone name like "Asia/Shanghai" (%s)' % (spec, err)) from None


def _attach_zone(naive, zone):
    if zone is None:
        return naive.astimezone()  # naive datetimes are local time for astimezone()
    return naive.replace(tzinfo=zone)


def parse_expiry(value, server_timezone=''):
    """The server's expiry as an aware UTC datetime, or None when it cannot be read.

    Accepted: ISO 8601 (with or without an offset), epoch seconds or milliseconds, and java.util.Date as
    Gson writes it ("Nov 28, 2026 5:21:20 PM"). A time without an offset is read in ``server_timezone``.
    """
    if value is None or value == '' or isinstance(value, bool):
        return None
    zone = _utc_offset(server_timezone)
    if isinstance(value, (int, float)):
        seconds = value / 1000.0 if abs(value) > 1e11 else float(value)
        try:
            return datetime.fromtimestamp(seconds, timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    text = to_text(value).strip().replace('\u202f', ' ').replace('\u00a0', ' ')
    if re.match(r'^-?\d+(\.\d+)?$', text):
        return parse_expiry(float(text), server_timezone)
    parsed = None
    try:
        iso = text[:-1] + '+00:00' if text.endswith(('Z', 'z')) else text
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        match = JAVA_DATE_RE.match(text)
        if match and match.group('mon').lower() in MONTHS:
            hour = int(match.group('hour')) % 12 + (12 if match.group('ampm').lower() == 'pm' else 0)
            try:
                parsed = datetime(int(match.group('year')), MONTHS[match.group('mon').lower()], int(match.group('day')),
                                  hour, int(match.group('minute')), int(match.group('second') or 0))
            except ValueError:
                return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = _attach_zone(parsed, zone)
    return parsed.astimezone(timezone.utc)


def _as_utc(value, what):
    """A datetime from an ISO 8601 string (or a datetime); naive means UTC. None means now."""
    if value is None or value == '':
        return datetime.now(timezone.utc).replace(microsecond=0)
    if isinstance(value, datetime):
        parsed = value
    else:
        text = to_text(value).strip()
        try:
            parsed = datetime.fromisoformat(text[:-1] + '+00:00' if text.endswith(('Z', 'z')) else text)
        except ValueError:
            raise AnsibleFilterError('%s: %r is not an ISO 8601 date and time' % (what, value)) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def iso_utc(moment):
    """ISO 8601 in UTC with a Z, to the second: 2026-11-28T17:21:20Z."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace('+00:00', 'Z')


def console_expiry(console, requested_at=None, token_lifetime=DEFAULT_LIFETIME, server_timezone=''):
    """(expires_at ISO string, source) for one console entry: the server's expired_date, else request time
    plus ``token_lifetime`` seconds."""
    requested = _as_utc(requested_at, 'requested_at')
    server_value = console.get('expired_date') if isinstance(console, dict) else None
    parsed = parse_expiry(server_value, server_timezone)
    if parsed is not None:
        # A token lives for minutes: a time far outside that is most likely a time zone mix-up.
        if parsed < requested - timedelta(minutes=5) or parsed > requested + timedelta(days=2):
            display.warning('console_files: the server says the console for VM %s expires at %s (%s), which is '
                            'implausible for a token requested at %s; check console_files_server_timezone'
                            % (console.get('vm_instance_uuid', '?'), iso_utc(parsed), server_value,
                               iso_utc(requested)))
        return iso_utc(parsed), 'server'
    if server_value not in (None, ''):
        display.warning('console_files: cannot read the expiry %r of the console for VM %s; using the request '
                        'time plus %s s' % (server_value, console.get('vm_instance_uuid', '?'), token_lifetime))
    return iso_utc(requested + timedelta(seconds=_positive_int(token_lifetime, 'token_lifetime'))), 'lifetime'


def _positive_int(value, what):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise AnsibleFilterError('%s must be a whole number of seconds, got %r' % (what, value)) from None
    if number < 1:
        raise AnsibleFilterError('%s must be at least 1, got %r' % (what, number))
    return number


# ------------------------------------------------------------------ file names

def safe_stem(name, fallback):
    """A VM name made safe as a file name stem.

    Letters and digits of any script, '.', '_' and '-' stay; every other run of characters (path separators,
    spaces, control and format characters, quotes, markup) becomes one '_'. Runs of dots collapse to one,
    leading dots, dashes and underscores go (no hidden files, no '..', nothing that looks like an option).
    Empty results and reserved stems fall back to ``fallback`` (the VM UUID).
    """
    text = unicodedata.normalize('NFC', to_text(name or ''))
    out = []
    for char in text:
        category = unicodedata.category(char)
        if char in '._-' or (category[0] in 'LN' and char.isprintable()):
            out.append(char)
        elif not out or out[-1] != '_':
            out.append('_')
    stem = re.sub(r'\.{2,}', '.', ''.join(out))
    stem = re.sub(r'_{2,}', '_', stem).lstrip('._-')
    encoded = stem.encode('utf-8')[:STEM_MAX_BYTES]
    stem = encoded.decode('utf-8', errors='ignore').rstrip('._-')
    if not stem or not any(unicodedata.category(c)[0] in 'LN' for c in stem):
        stem = fallback
    return stem


def assign_stems(items):
    """Distinct stems for ``items`` (dicts with 'name' and 'uuid'), compared case-insensitively.

    VMs whose stems collide all get "-<first 8 hex of their UUID>" (so no VM's file name depends on the order
    of the list), then "-<whole UUID>", then a counter, until every stem is unique and none is reserved.
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


def display_name(name):
    """``name`` for showing: control and format characters (a bell, a right-to-left override) become U+FFFD."""
    return ''.join('\ufffd' if unicodedata.category(c) in ('Cc', 'Cf', 'Cs', 'Co', 'Cn') else c for c in to_text(name))


# ------------------------------------------------------------------ launcher URL

def _bracket(host):
    host = to_text(host)
    return '[%s]' % host if ':' in host and not host.startswith('[') else host


def resolve_style(novnc_url, style='auto'):
    """'novnc' (noVNC 1.x vnc.html / vnc_lite.html) or 'zstack' (the ZStack web UI's vnc_auto.html)."""
    if style not in NOVNC_STYLES:
        raise AnsibleFilterError('style must be one of %s, got %r' % (', '.join(NOVNC_STYLES), style))
    if style != 'auto':
        return style
    page = posixpath.basename(urlsplit(novnc_url).path)
    return 'novnc' if page in ('vnc.html', 'vnc_lite.html') else 'zstack'


def default_novnc_url(host, port=ZSTACK_UI_PORT):
    """The noVNC page of a ZStack web UI: http://<management node>:5000/thirdparty/vnc_auto.html."""
    return 'http://%s:%s%s' % (_bracket(host), port, ZSTACK_UI_PATH)


def console_launcher_url(console, novnc_url='', style='auto', params_in='fragment', title=None, management_host=''):
    """The URL that opens ``console`` (an entry of zstack_consoles) in noVNC, or None without a token."""
    if not isinstance(console, dict):
        raise AnsibleFilterError('console_launcher_url expects a console entry (a dict), got %s' % type(console).__name__)
    if params_in not in PARAM_PLACES:
        raise AnsibleFilterError('params_in must be one of %s, got %r' % (', '.join(PARAM_PLACES), params_in))
    if not console.get('token') or not console.get('hostname') or console.get('port') in (None, ''):
        return None  # check mode: the server only validated, nothing to connect to
    if not novnc_url:
        novnc_url = default_novnc_url(management_host or console['hostname'])
    parts = urlsplit(to_text(novnc_url))
    if parts.scheme not in ('http', 'https', 'file') or (parts.scheme != 'file' and not parts.netloc):
        raise AnsibleFilterError('novnc_url must be an http(s) URL of a noVNC page, got %r' % novnc_url)
    style = resolve_style(novnc_url, style)
    token = to_text(console['token'])
    host = _bracket(console['hostname'])
    port = to_text(console['port'])
    if title is None:
        title = display_name(console.get('vm_instance_name') or console.get('vm_instance_uuid') or '')
    if style == 'novnc':
        # noVNC 1.x: app/ui.js reads its settings with WebUtil.getConfigVar (fragment first, then query);
        # vnc_lite.html matches "[?&]name=" in href + hash, so the first parameter (autoconnect) is one that
        # vnc_lite.html can do without. The token travels inside path, as the websocket URL's query.
        params = [
            ('autoconnect', 'true'),
            ('host', host),
            ('port', port),
            ('path', '?token=' + token),
            ('encrypt', '1' if console.get('scheme') == 'https' else '0'),
            ('resize', 'scale'),
            ('scale', 'true'),  # vnc_lite.html's name for resize=scale
            ('reconnect', 'false'),
        ]
    else:
        # What the ZStack web UI itself passes to its noVNC page (host, port, token, title). In the fragment
        # they follow a '&', so pages that match "[?&]name=" against location.href find them as well.
        params = [('host', host), ('port', port), ('token', token), ('title', to_text(title))]
    encoded = '&'.join('%s=%s' % (key, quote(value, safe='')) for key, value in params)
    if params_in == 'query':
        query = '%s&%s' % (parts.query, encoded) if parts.query else encoded
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
    if style == 'zstack':
        encoded = '&' + encoded
    fragment = '%s&%s' % (parts.fragment, encoded) if parts.fragment else encoded
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, fragment))


# ------------------------------------------------------------------ plan

def _normalize_ref(ref):
    text = to_text(ref).strip()
    return text.lower() if UUID_RE.match(text) else text


def _user_info(name, users):
    """{home, uid, gid} of an operator from ``users`` (dicts, or passwd lists as getent returns them)."""
    if name not in users or users[name] in (None, '', []):
        raise AnsibleFilterError('operator %r is not a user on the target (no passwd entry)' % name)
    entry = users[name]
    if isinstance(entry, (list, tuple)):
        # getent passwd: [password, uid, gid, gecos, home, shell]
        if len(entry) < 5:
            raise AnsibleFilterError('operator %r: unexpected passwd entry %r' % (name, entry))
        return {'home': to_text(entry[4]), 'uid': int(entry[1]), 'gid': int(entry[2])}
    if isinstance(entry, dict):
        info = dict(entry)
        for key in ('uid', 'gid'):
            if info.get(key) not in (None, ''):
                info[key] = int(info[key])
        return info
    raise AnsibleFilterError('operator %r: users must map names to dicts or passwd lists, got %r' % (name, entry))


def _operator_dest(operator, user, dirname):
    dest = operator.get('dest')
    if dest in (None, ''):
        if not user.get('home'):
            raise AnsibleFilterError('operator %r: no home directory known on the target; give dest' % operator['name'])
        dest = posixpath.join(to_text(user['home']), dirname)
    dest = to_text(dest)
    if not dest.startswith('/'):
        raise AnsibleFilterError('operator %r: dest %r must be an absolute path' % (operator['name'], dest))
    if '\x00' in dest:
        raise AnsibleFilterError('operator %r: dest contains a NUL character' % operator['name'])
    dest = posixpath.normpath(dest)
    if dest.startswith('//'):
        dest = '/' + dest.lstrip('/')
    if dest == '/':
        raise AnsibleFilterError('operator %r: dest must not be the root directory' % operator['name'])
    return dest


def _match_console(ref, consoles):
    key = _normalize_ref(ref)
    if UUID_RE.match(key):
        matches = [c for c in consoles if to_text(c.get('vm_instance_uuid', '')).lower() == key]
    else:
        matches = [c for c in consoles if c.get('vm_instance_name') == key]
    return matches[0] if matches else None


def _aligned(value, index, default=None):
    if isinstance(value, (list, tuple)):
        return value[index] if index < len(value) else default
    return default if value is None else value


def console_file_plan(consoles, operators, users=None, novnc_url='', style='auto', params_in='fragment',
                      token_lifetime=DEFAULT_LIFETIME, requested_at=None, session_owned=False, server_timezone='',
                      management_host='', dirname=DEFAULT_DIRNAME, previous=None, dir_existed=True, with_secrets=True,
                      ledgers=None):
    """What the role writes for every operator: directory, files and their content.

    ``consoles`` is the module's ``zstack_consoles`` list; None plans directories only (state=absent) and
    ignores the VMs. ``users`` maps operator names to {home, uid, gid} or to getent passwd lists.
    ``previous`` (one per operator, in order: slurp results of the old manifests) and ``dir_existed`` (one
    bool per operator, or one for all) add what console_file_manifest says. Without ``with_secrets`` the plan
    carries no token: no launcher URL, no JSON document and no session record.

    Whether a token's session is the role's own (``session_owned`` in the JSON file) is the console entry's own
    ``session_owned`` (``session_owned`` here is only the fallback for entries without one), or true when one of
    ``ledgers`` (the operators' session records, one per operator in order) says an earlier run of the role opened
    that session: ZStack hands out the live console of a VM again, with the token of the session that opened it.
    """
    if operators is None:
        operators = []
    if not isinstance(operators, list):
        raise AnsibleFilterError('operators must be a list, got %s' % type(operators).__name__)
    if users is not None and not isinstance(users, dict):
        raise AnsibleFilterError('users must be a dict, got %s' % type(users).__name__)
    users = users or {}
    dirs_only = consoles is None
    consoles = [c for c in (consoles or []) if isinstance(c, dict)]
    old_ledgers = [_ledger_sessions(_aligned(ledgers, index)) for index in range(len(operators))]
    known_owned = set(uuid for ledger in old_ledgers for uuid, entry in ledger.items() if entry['owned'])
    requested = _as_utc(requested_at, 'requested_at')
    lifetime = _positive_int(token_lifetime, 'token_lifetime')
    if not dirname or '/' in to_text(dirname) or to_text(dirname) in ('.', '..'):
        raise AnsibleFilterError('dirname must be a single directory name, got %r' % dirname)

    plans = []
    seen = {}
    for number, operator in enumerate(operators, start=1):
        if not isinstance(operator, dict) or not operator.get('name'):
            raise AnsibleFilterError('operator #%d has no name' % number)
        name = to_text(operator['name'])
        user = _user_info(name, users)
        dest = _operator_dest(operator, user, dirname)
        if dest in seen:
            raise AnsibleFilterError('operators %r and %r both write to %s; give each its own dest' % (seen[dest], name, dest))
        seen[dest] = name
        plan = {'name': name, 'dest': dest, 'uid': user.get('uid'), 'gid': user.get('gid'), 'consoles': [], 'files': [],
                'ledger_name': ledger_name(user.get('uid'), name)}
        if not dirs_only:
            chosen = []
            for ref in operator.get('vms') or []:
                console = _match_console(ref, consoles)
                if console is None:
                    raise AnsibleFilterError('operator %r: no console was returned for VM %r (every host of the '
                                             'play must list the same operators: the role asks ZStack once)'
                                             % (name, to_text(ref)))
                if console.get('failed'):
                    raise AnsibleFilterError('operator %r: VM %r failed: %s' % (name, to_text(ref), redact(console.get('msg'))))
                if all(c['vm_instance_uuid'] != console['vm_instance_uuid'] for c in chosen):
                    chosen.append(console)  # the same VM by name and by UUID: one set of files
            stems = assign_stems([{'name': c.get('vm_instance_name'), 'uuid': to_text(c['vm_instance_uuid']).lower()}
                                  for c in chosen])
            sessions = {}
            for console, stem in zip(chosen, stems):
                session = token_session(console.get('token'))
                owned = console['session_owned'] is True if 'session_owned' in console else bool(session_owned)
                owned = owned or (session is not None and session in known_owned)
                record = _console_record(console, stem, name, novnc_url, style, params_in, requested, lifetime,
                                         owned, server_timezone, management_host)
                if session is not None:
                    sessions[session] = sessions.get(session, False) or owned
                if not with_secrets:
                    record.pop('launcher_url')
                    record.pop('document')
                plan['consoles'].append(record)
            plan['sessions_owned'] = sum(1 for owned in sessions.values() if owned)
            plan['sessions_other'] = len(sessions) - plan['sessions_owned']
            if with_secrets:
                plan['ledger'] = _new_ledger(old_ledgers[number - 1], sessions, name, user.get('uid'), requested)
            for record in plan['consoles']:
                plan['files'].append({'name': record['launcher'], 'kind': 'launcher'})
                plan['files'].append({'name': record['json'], 'kind': 'json'})
            plan['files'].append({'name': INDEX_NAME, 'kind': 'index'})
        plan['file_names'] = [f['name'] for f in plan['files']]
        plan['manifest_name'] = MANIFEST_NAME
        if previous is not None or not dirs_only:
            state = console_file_manifest(_aligned(previous, number - 1), None if dirs_only else plan,
                                          bool(_aligned(dir_existed, number - 1, True)))
            plan.update(remove=state['remove'], created_dir=state['created_dir'])
            if not dirs_only:
                plan.update(manifest=state['manifest'], interim=state['interim'])
        plans.append(plan)
    return plans


def _console_record(console, stem, operator, novnc_url, style, params_in, requested, lifetime, session_owned,
                    server_timezone, management_host):
    expires_at, source = console_expiry(console, requested, lifetime, server_timezone)
    vm_name = console.get('vm_instance_name')
    launcher_url = console_launcher_url(console, novnc_url, style, params_in, management_host=management_host)
    document = {
        'vm_instance_uuid': to_text(console['vm_instance_uuid']).lower(),
        'vm_instance_name': vm_name,
        'websocket_url': console.get('websocket_url'),
        'launcher_url': launcher_url,
        'token': console.get('token'),
        'expires_at': expires_at,
        'expires_at_source': source,
        'requested_at': iso_utc(requested),
        'session_owned': bool(session_owned),
        'scheme': console.get('scheme'),
        'hostname': console.get('hostname'),
        'port': console.get('port'),
        'operator': operator,
        'managed_by': MANAGED_BY,
    }
    return {
        'vm_instance_uuid': document['vm_instance_uuid'],
        'vm_instance_name': vm_name,
        'title': display_name(vm_name) if vm_name else document['vm_instance_uuid'],
        'stem': stem,
        'has_token': bool(console.get('token')),
        'launcher': stem + '.html',
        'json': stem + '.json',
        'launcher_href': quote(stem + '.html'),
        'launcher_url': launcher_url,
        'expires_at': expires_at,
        'expires_at_source': source,
        'document': document,
    }


# ------------------------------------------------------------------ manifest

def _decode_manifest(previous):
    """The previous manifest (slurp's base64 content, JSON text or a dict) as a dict; {} when unreadable.

    A plain dict that has ``files`` is taken as it is (a manifest built in the same run).
    """
    if isinstance(previous, dict) and 'content' not in previous and 'files' in previous:
        return previous
    return _load_record(previous)


def console_file_manifest(previous, plan=None, dir_existed=True):
    """What the manifest of one operator's directory says and what to remove.

    ``previous`` is the old manifest (as slurp returned it, or its text); it lives in a directory the operator
    owns, so only plain file names this role could have written are believed. With ``plan`` (present):
    ``manifest`` is the new manifest, ``interim`` one that also lists the old files (written first, so an
    interrupted run leaves nothing untracked), and ``remove`` the old files no longer planned. Without ``plan``
    (absent): ``remove`` is every file the old manifest lists.
    """
    old = _decode_manifest(previous)
    old_files = [f for f in old.get('files', []) if isinstance(f, str) and WRITTEN_NAME_RE.match(f)
                 and f != MANIFEST_NAME and '/' not in f]
    created_dir = bool(old.get('created_dir')) if old else not dir_existed
    result = {'created_dir': created_dir, 'remove': [], 'files': old_files}
    if plan is None:
        result['remove'] = old_files
        return result
    new_files = list(plan.get('file_names') or [f['name'] for f in plan.get('files', [])])
    new_set = set(new_files)
    result['remove'] = [f for f in old_files if f not in new_set]
    base = {'managed_by': MANAGED_BY, 'version': 1, 'operator': plan.get('name'), 'created_dir': created_dir}
    result['manifest'] = dict(base, files=new_files)
    result['interim'] = dict(base, files=new_files + [f for f in old_files if f not in new_set])
    return result


# ------------------------------------------------------------------ sessions

def token_session(token):
    """The API session a console token embeds - the 32 hex characters before its first '_' - or None."""
    if not isinstance(token, str):
        return None
    head, sep, _rest = token.strip().partition('_')
    return head.lower() if sep and UUID_RE.match(head) else None


def ledger_name(uid, name):
    """File name of an operator's session record in the ledger directory: by uid, never by a name."""
    if uid in (None, ''):
        raise AnsibleFilterError('operator %r: no uid known on the target' % name)
    return '%s%d.json' % (LEDGER_PREFIX, int(uid))


def _load_record(value):
    """A JSON object this role wrote, from a slurp result, its base64 content, JSON text or a dict.

    {} when it is missing, unreadable, or not the role's (no ``managed_by``).
    """
    if value in (None, ''):
        return {}
    if isinstance(value, dict):
        if 'content' in value:
            value = value['content'] if value.get('encoding', 'base64') == 'base64' else None
        elif value.get('managed_by') == MANAGED_BY:
            return value
        else:
            return {}
    if not isinstance(value, (str, bytes)):
        return {}
    text = to_text(value).strip()
    if not text.startswith('{'):
        try:
            text = to_text(base64.b64decode(text, validate=True))
        except (binascii.Error, ValueError):
            return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) and data.get('managed_by') == MANAGED_BY else {}


def _ledger_sessions(ledger):
    """{session uuid: {owned, recorded_at}} from an operator's session record (anything unreadable: {})."""
    sessions = {}
    for entry in _load_record(ledger).get('sessions') or []:
        if not isinstance(entry, dict) or not isinstance(entry.get('uuid'), str) or not UUID_RE.match(entry['uuid']):
            continue
        uuid = entry['uuid'].lower()
        known = sessions.setdefault(uuid, {'owned': False, 'recorded_at': entry.get('recorded_at')})
        known['owned'] = known['owned'] or entry.get('owned') is True
    return sessions


def _new_ledger(old, sessions, operator, uid, requested):
    """The operator's session record after this run: the old sessions, then the new ones; owned once, owned for good."""
    merged = dict((uuid, dict(entry)) for uuid, entry in old.items())
    for uuid, owned in sessions.items():
        entry = merged.setdefault(uuid, {'owned': False, 'recorded_at': iso_utc(requested)})
        entry['owned'] = entry['owned'] or owned
    return {
        'managed_by': MANAGED_BY,
        'version': 1,
        'operator': operator,
        'uid': uid,
        'sessions': [{'uuid': uuid, 'owned': entry['owned'], 'recorded_at': entry.get('recorded_at')}
                     for uuid, entry in merged.items()],
    }


def console_file_sessions(records, host=''):
    """The API sessions behind the tokens the role wrote, each once: [{session_uuid, owned, sources, files}].

    ``records`` mixes slurp results of the operators' JSON files (``token`` and ``session_owned``) and of their
    session records in the ledger directory (``sessions``), and entries of an earlier call (to merge hosts).
    Failed and skipped results, and anything not written by the role, are left out. A session is ``owned`` when
    any record says the role's own module call opened it. ``sources`` names the files it was found in, ``files``
    only the JSON files (the ones with tokens), as ``host:path`` with ``host``; never the session.
    """
    if records is None:
        return []
    if not isinstance(records, (list, tuple)):
        raise AnsibleFilterError('console_file_sessions expects a list, got %s' % type(records).__name__)
    found = {}

    def add(uuid, owned, source, token_file):
        entry = found.setdefault(uuid, {'session_uuid': uuid, 'owned': False, 'sources': [], 'files': []})
        entry['owned'] = entry['owned'] or owned
        for key, wanted in (('sources', True), ('files', token_file)):
            if source and wanted and source not in entry[key]:
                entry[key].append(source)

    for record in records:
        if not isinstance(record, dict) or record.get('failed') or record.get('skipped'):
            continue
        if 'session_uuid' in record:  # an entry of an earlier call
            uuid = record['session_uuid']
            if isinstance(uuid, str) and UUID_RE.match(uuid):
                files = record.get('files') or []
                for source in record.get('sources') or [None]:
                    add(uuid.lower(), record.get('owned') is True, source, source in files)
            continue
        source = to_text(record.get('source') or '')
        source = '%s:%s' % (host, source) if host and source else source
        data = _load_record(record)
        if 'sessions' in data:
            for uuid, entry in _ledger_sessions(data).items():
                add(uuid, entry['owned'], source, False)
        elif 'token' in data:
            uuid = token_session(data.get('token'))
            if uuid is not None:
                add(uuid, data.get('session_owned') is True, source, True)
    return list(found.values())


# ------------------------------------------------------------------ failure messages

def redact(text):
    """``text`` with console tokens and session UUIDs replaced by <redacted>."""
    text = TOKEN_RE.sub(REDACTED, to_text(text))
    return SESSION_RE.sub(lambda m: m.group(1) + REDACTED, text)


def _dig(value, path):
    for key in to_text(path).split('.'):
        if isinstance(value, (list, tuple)) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        elif isinstance(value, dict) and key in value:
            value = value[key]
        else:
            return '?'
    return to_text(value)


def console_failure_message(result, what='zstack_console_access', item_label=None):
    """A one-paragraph failure message from a failed task result, with no token in it.

    Knows the module's result (msg, per-VM zstack_consoles entries with failed and msg, the API error code)
    and loop results (results[] with failed and msg). A loop item is named by its label, or, under no_log
    (which hides the label), by ``item_label``: dotted paths into the item, joined by ': '.
    """
    if not isinstance(result, dict):
        return redact('%s failed: %s' % (what, result))
    entries = [e for e in result.get('zstack_consoles') or [] if isinstance(e, dict)]
    failed_vms = [e for e in entries if e.get('failed')]
    if failed_vms:
        reasons = []
        for entry in failed_vms:
            vm = to_text(entry.get('vm_instance_name') or entry.get('vm_instance_uuid') or '?')
            text = to_text(entry.get('msg') or 'failed')
            prefix = 'VM %s: ' % vm
            text = text[len(prefix):] if text.startswith(prefix) else text
            code = entry['error'].get('code') if isinstance(entry.get('error'), dict) else None
            if code and to_text(code) not in text:
                text += ' [%s]' % code
            reasons.append((vm, text))
        distinct = set(reason for _vm, reason in reasons)
        if len(failed_vms) == len(entries):
            count = 'all %d' % len(entries)
        else:
            count = '%d of %d' % (len(failed_vms), len(entries))
        if len(distinct) == 1 and len(failed_vms) > 1:
            message = '%s failed for %s VMs (%s): %s' % (what, count, ', '.join(vm for vm, _r in reasons), reasons[0][1])
        else:
            message = '%s failed for %s VMs: %s' % (what, count, '; '.join('VM %s: %s' % pair for pair in reasons))
        return redact(message)
    message = '%s failed' % what
    msg = result.get('msg')
    if msg:
        message += ': %s' % msg
    error = result.get('error')
    if isinstance(error, dict) and error.get('code') and to_text(error['code']) not in to_text(msg):
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


class FilterModule:
    """Filters of the zstack.cloud.console_files role."""

    def filters(self):
        return {
            'console_file_plan': console_file_plan,
            'console_file_manifest': console_file_manifest,
            'console_file_sessions': console_file_sessions,
            'console_launcher_url': console_launcher_url,
            'console_failure_message': console_failure_message,
        }
