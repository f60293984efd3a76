# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What each operator gets, from the console entries of zstack_console_access: no file is touched here.

Which entries an operator's VM references (UUIDs, names, query items) pick, when each token expires, and the plan
of the operator's files - for every VM a launcher (``_launcher``, or a page launcher from ``_pages``) and a JSON
document with the token, and the index - with the API sessions the tokens embed.

Files are ``{name: bytes}``; ``_console_files_service`` compares them with what is on disk and writes them with
``_io``.
"""

from __future__ import annotations

import unicodedata
from datetime import timedelta

from ansible_collections.zstack.cloud.plugins.module_utils._bridge_files import bridge_command, script_bytes
# The bridge reads expires_at back from the JSON file: one parser, so that the plan and the bridge agree on it.
from ansible_collections.zstack.cloud.plugins.module_utils._console_bridge import parse_utc
from ansible_collections.zstack.cloud.plugins.module_utils._console_entry import declared_protocol, embedded_session
from ansible_collections.zstack.cloud.plugins.module_utils._console_urls import console_url
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ConsoleFilesError
from ansible_collections.zstack.cloud.plugins.module_utils._file_names import BRIDGE_NAME, INDEX_NAME, assign_stems
from ansible_collections.zstack.cloud.plugins.module_utils._launcher import (
    declared_client,
    launcher_supported,
    render_launcher,
)
from ansible_collections.zstack.cloud.plugins.module_utils._ledger import MANAGED_BY, UUID_RE, dumps
from ansible_collections.zstack.cloud.plugins.module_utils._pages import index_html, page_launcher_html
from ansible_collections.zstack.cloud.plugins.module_utils._redact import redact
from ansible_collections.zstack.cloud.plugins.module_utils._timezone import iso_utc

DEFAULT_LIFETIME = 1800
# A token lives for minutes: an expiry far outside that is most likely a time zone mix-up.
PLAUSIBLE_EXPIRY = (timedelta(minutes=-5), timedelta(days=2))


def display_name(name):
    """``name`` for showing: control and format characters (a bell, a right-to-left override) become U+FFFD."""
    return ''.join('\ufffd' if unicodedata.category(c) in ('Cc', 'Cf', 'Cs', 'Co', 'Cn') else c for c in str(name))


# ------------------------------------------------------------------ expiry

def console_expiry(entry, now, lifetime):
    """(expires_at, source, warning) of one console entry.

    ``expires_at`` of the entry (zstack_console_access reads the server's expiredDate in the node's zone) when it
    has one (source ``server``), else ``now`` plus ``lifetime`` seconds (source ``lifetime``).
    """
    vm = entry.get('vm_instance_name') or entry.get('vm_instance_uuid')
    given = entry.get('expires_at')
    moment = parse_utc(given)
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


# ------------------------------------------------------------------ the consoles of one operator

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


def pick_consoles(operator, vms, consoles, failures=()):
    """The console entries for ``operator``'s VM references (UUIDs, names, query items), each VM once, in order, and
    the VMs among them that got no console.

    ``failures`` are zstack_console_access's items for VMs that got no console (with allow_partial): such a VM gets
    no files, and is returned in the second list ``[{'vm', 'msg'}]`` (its reason, tokens taken out) for the play
    to say so. A reference with neither a console nor a failure is an error.
    """
    chosen, missed = [], []
    for ref in vms or []:
        matches, label = _matching(ref, consoles)
        failed, _label = _matching(ref, [f for f in failures if isinstance(f, dict)])
        if label is None:
            continue  # an empty reference
        if not matches and not failed:
            raise ConsoleFilesError('operator %r: no console was given for VM %r (every host of the play must list '
                                    'the same operators: the role asks ZStack once)' % (operator, label))
        for failure in failed:
            vm = str(failure.get('vm_instance_name') or failure.get('vm_instance_uuid') or label)
            if all(item['vm'] != vm for item in missed):
                missed.append({'vm': vm, 'msg': redact(failure.get('msg') or 'no console')})
        for console in matches:
            if not UUID_RE.match(str(console.get('vm_instance_uuid') or '')):
                raise ConsoleFilesError('operator %r: the console for VM %r has no vm_instance_uuid' % (operator, label))
            if all(c['vm_instance_uuid'].lower() != console['vm_instance_uuid'].lower() for c in chosen):
                chosen.append(console)  # the same VM by name, by UUID or by a query: one set of files
    return chosen, missed


# ------------------------------------------------------------------ the plan of one operator's files

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
        session = embedded_session(entry.get('token'))
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
                'protocol': declared_protocol(entry),
                'bridge': bridge_command(stem),
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
    if records:  # the native-viewer bridge, next to the consoles it opens
        files[BRIDGE_NAME] = script_bytes()
    files[INDEX_NAME] = index_html(operator, records).encode('utf-8')
    return {'records': records, 'files': files, 'sessions': sessions, 'warnings': warnings}
