# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The console entry: one VM's console as zstack_console_access returns it and zstack_console_files takes it.

Its fields are defined here once (``FIELDS``); from them come the entry itself (``ConsoleEntry.from_inventory``
builds and checks one from the server's console inventory), zstack_console_files' option spec for ``consoles``
(``option_spec``), its doc fragment (``plugins/doc_fragments/console_entry.py``, ``option_docs``) and the
``zstack_consoles`` return docs of zstack_console_access (``return_docs``, written into the module by
``tools/console_entry_docs.py`` and checked by a unit test).
"""

from __future__ import annotations

from ansible_collections.zstack.cloud.plugins.module_utils._console_urls import is_direct, websocket_url
from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackApiError, ZStackResponseError
from ansible_collections.zstack.cloud.plugins.module_utils._timezone import NodeClock
from ansible_collections.zstack.cloud.plugins.module_utils._vms import UUID_PATTERN

ACCESS = 'zstack.cloud.zstack_console_access#module:'
CREATED = 'when a console was created (not in check mode)'
SESSION_SAMPLE = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'
VM_SAMPLE = '5f3c2a9b0e6d4c1f8a7b6c5d4e3f2a1b'
TOKEN_SAMPLE = '%s_%s' % (SESSION_SAMPLE, VM_SAMPLE)


class Field:
    """One field of the entry: its type, whether it is a secret, and its documentation."""

    def __init__(self, name, type, description, returned, sample, elements=None, secret=False, choices=None):
        self.name = name
        self.type = type
        self.elements = elements
        self.choices = list(choices) if choices else None
        self.secret = secret
        self.description = [description] if isinstance(description, str) else list(description)
        self.returned = returned
        self.sample = sample

    def option(self):
        spec = {'type': self.type}
        if self.elements:
            spec['elements'] = self.elements
        if self.choices:
            spec['choices'] = self.choices
        if self.secret:
            spec['no_log'] = True
        return spec


VM_NAME = Field('vm_instance_name', 'str', 'Name of the VM, when it was asked for by name or selected by a query.',
                'when known', 'web-01')
VM_QUERY = Field('vm_query', 'list',
                 'The conditions of the query that selected this VM (O(%svm_query), or a query item of '
                 'O(%svm_instances)).' % (ACCESS, ACCESS), 'when a query selected the VM',
                 ['hostUuid=930ed76e681e4c39b80fde512cab93ba'], elements='str')

FIELDS = (
    Field('vm_instance_uuid', 'str', 'UUID of the VM.', 'always', VM_SAMPLE),
    VM_NAME,
    Field('scheme', 'str',
          ['Scheme of the console as ZStack answers it: C(http) for its console proxy, with or without TLS on the proxy '
           '(see O(%sconsole_proxy_tls)); C(wss) for a direct console, which needs no proxy.' % ACCESS], CREATED, 'http'),
    Field('hostname', 'str', 'Host name or address of the console proxy.', CREATED, '10.0.0.5'),
    Field('port', 'int', 'Port of the console proxy.', CREATED, 4900),
    Field('token', 'str', 'Console token. It embeds the API session that asked for it; treat it as a secret.',
          CREATED, TOKEN_SAMPLE, secret=True),
    Field('target_scheme', 'str', 'Protocol behind the proxy, when the server sends it.',
          'when the server sends it', 'vnc'),
    Field('protocol', 'str',
          ['The display protocol the server declares for the console, C(vnc) or C(spice) (from its C(targetScheme)),'
           ' when it declares one of them.',
           'Only a declaration - open-source ZStack declares C(vnc) for every VM, SPICE ones included; the launchers'
           ' and the C(zstack-console) bridge of M(zstack.cloud.zstack_console_files) look at what the display'
           ' speaks.'],
          'when the server declares vnc or spice', 'vnc', choices=('vnc', 'spice')),
    Field('version', 'str', 'Console proxy version, when the server sends it.', 'when the server sends it', '1'),
    Field('expired_date', 'raw',
          'When the token expires, as the server wrote it - in the management node\'s local time, without a zone.',
          'when the server sends it', 'Dec 1, 2026 12:20:00 AM'),
    Field('expires_at', 'str',
          ['When the token expires, in ISO 8601 UTC to the second - the server\'s C(expired_date) read in the '
           'management node\'s zone (see O(%sserver_timezone)).' % ACCESS],
          'when the server sends a date the module can read (never for a direct console, which has no expiry)',
          '2026-11-30T16:20:00Z'),
    Field('token_session', 'str',
          ['Which API session the token embeds, and so what ends the console.',
           'V(opened) - the session this task logged in itself; the module keeps it open because this token embeds '
           'it, and ending it revokes the console.',
           'V(given) - the session the caller passed in O(%ssession_uuid); ending it revokes the console.' % ACCESS,
           'V(other) - another session: ZStack keeps one live console per VM and handed back the live console '
           'another session opened (or an AccessKey request got one); ending this task\'s session will not revoke '
           'it, it lives until it expires or that session ends.'],
          CREATED, 'opened', choices=('opened', 'given', 'other')),
    Field('session_owned', 'bool',
          ['Whether the token embeds the session this task logged in itself: RV(%szstack_consoles[].token_session) '
           'is V(opened) (see RV(%ssession_created)).' % (ACCESS, ACCESS),
           'Only a session the caller owns should ever be ended to revoke a token.'],
          CREATED, True),
    Field('websocket_url', 'str',
          ['WebSocket URL of the console. It holds the token.',
           'Through ZStack\'s console proxy C(ws://<hostname>:<port>/?token=<token>).',
           'C(wss://) instead with O(%sconsole_proxy_tls).' % ACCESS,
           'For a direct console (scheme C(wss)) C(wss://<hostname>:<port><token>), the token being the path.'],
          CREATED, 'ws://10.0.0.5:4900/?token=%s' % TOKEN_SAMPLE, secret=True),
    VM_QUERY,
    Field('console_url', 'str',
          ['A URL a browser opens to see the console. It holds the token; treat it as a secret.',
           'By default the ZStack web UI\'s console page on the management node (O(%shost), O(%sscheme), port '
           '5000) - C(/novnc) on ZStack 4.0 and later, C(/thirdparty/vnc_auto.html) before, by the version the node '
           'reports - with C(host), C(port), C(token) and C(title) in the query string, which that page reads; with '
           'O(%snovnc_url), that noVNC 1.x page with its parameters in the fragment.' % (ACCESS, ACCESS, ACCESS),
           'The page connects with C(wss://) (C(encrypt=1)) when it is served over https, with '
           'O(%sconsole_proxy_tls) and for a direct console.' % ACCESS],
          CREATED, 'http://zstack-mn.example.com:5000/novnc?host=10.0.0.5&port=4900&'
          'token=%s&title=web-01' % TOKEN_SAMPLE, secret=True),
)
FIELD_NAMES = tuple(field.name for field in FIELDS)
# The display protocols a server can declare for a console (targetScheme); anything else declares none.
PROTOCOLS = ('vnc', 'spice')


def embedded_session(token):
    """The API session a console token embeds - the 32 hex characters before its first '_', in lower case - or
    None. ZStack's proxy backend writes ``<session uuid>_<vm uuid>[_<expiry>]`` (docs/zstack-api-notes.md)."""
    if not isinstance(token, str):
        return None
    head, sep, _rest = token.strip().partition('_')
    return head.lower() if sep and UUID_PATTERN.fullmatch(head) else None


def declared_protocol(entry):
    """The protocol an entry's server declares (its ``target_scheme``, else ``protocol``): vnc, spice or None."""
    declared = str(entry.get('target_scheme') or entry.get('protocol') or '').lower()
    return declared if declared in PROTOCOLS else None


# A VM that got no console: an item of ``failures``.
FAILURE_FIELDS = (
    Field('vm_instance_uuid', 'str', 'UUID of the VM, when known (a name that matched no VM has none).',
          'when known', VM_SAMPLE),
    VM_NAME,
    Field('msg', 'str', "Why the VM got no console: the server's reason, on one line.", 'always',
          'ZStack API error SYS.1006: operation error: vm[uuid:5f3c2a9b0e6d4c1f8a7b6c5d4e3f2a1b] is not in state of '
          '[Running, Crashed, VolumeRecovering, Paused, NoState], current state is Stopped'),
    Field('error', 'dict', "The server's API error object (its C(code) tells the kind).",
          'when the server refused with an API error', {'code': 'SYS.1006', 'description': 'operation error'}),
    VM_QUERY,
)


def option_spec(fields=FIELDS):
    """The argument spec of entries taken as an option (suboptions of zstack_console_files' ``consoles``, or of
    its ``failures`` with ``FAILURE_FIELDS``)."""
    return {field.name: field.option() for field in fields}


def option_docs(fields=FIELDS):
    """The option documentation of those suboptions."""
    docs = {}
    for field in fields:
        docs[field.name] = {'description': field.description, 'type': field.type}
        if field.elements:
            docs[field.name]['elements'] = field.elements
        if field.choices:
            docs[field.name]['choices'] = field.choices
    return docs


def return_docs(fields=FIELDS):
    """The return documentation of entries (``contains`` of zstack_console_access's ``zstack_consoles``, or of its
    ``failures`` with ``FAILURE_FIELDS``)."""
    docs = {}
    for field in fields:
        docs[field.name] = {'description': field.description, 'returned': field.returned, 'type': field.type,
                            'sample': field.sample}
        if field.elements:
            docs[field.name]['elements'] = field.elements
    return docs


class ConsoleEntry:
    """Builds entries. An entry is a plain dict of FIELDS (what modules return and take); this class makes them."""

    @staticmethod
    def from_inventory(vm_uuid, vm_name, inventory, node_clock=None, proxy_tls=False):
        """The console from the server's console inventory: snake_case keys, ``expires_at`` and a websocket URL.

        An empty inventory (the server only validated) gives the VM alone. A console without hostname, port or
        token, with a port that is not a number, or with a scheme the collection does not know, is bad data from
        the server (ZStackResponseError). ``node_clock`` reads the server's zone-less ``expiredDate`` (default: the
        controller's local zone); ``proxy_tls``: the console proxy has a certificate (``wss://``).
        """
        entry = {'vm_instance_uuid': vm_uuid}
        if vm_name is not None:
            entry['vm_instance_name'] = vm_name
        if not inventory:
            return entry
        missing = [key for key in ('hostname', 'port', 'token') if inventory.get(key) in (None, '')]
        if missing:
            raise ZStackResponseError('The console inventory for VM %s lacks %s' % (vm_uuid, ', '.join(missing)))
        try:
            port = int(float(inventory['port']))  # some servers send 4900.0
        except (TypeError, ValueError, OverflowError):  # OverflowError: an infinite port (JSON Infinity, "1e999")
            raise ZStackResponseError('The console inventory for VM %s has a port that is not a number: %r'
                                      % (vm_uuid, inventory['port'])) from None
        entry.update(scheme=inventory.get('scheme') or 'http', hostname=str(inventory['hostname']), port=port,
                     token=str(inventory['token']))
        for source, target in (('targetScheme', 'target_scheme'), ('version', 'version'),
                               ('expiredDate', 'expired_date')):
            if inventory.get(source) is not None:
                entry[target] = inventory[source]
        if declared_protocol(entry):
            entry['protocol'] = declared_protocol(entry)
        # A direct console has no expiry of its own: ConsoleProxyBase never sets one, and the column's default is the
        # time the row was written (docs/zstack-api-notes.md, "RequestConsoleAccess", direct consoles).
        expires_at = None if is_direct(entry) else (node_clock or NodeClock()).expires_at(inventory.get('expiredDate'))
        if expires_at is not None:
            entry['expires_at'] = expires_at
        entry['websocket_url'] = websocket_url(entry, proxy_tls)
        return entry

    @staticmethod
    def failure(ref, err, vm_uuid=None):
        """The item of ``failures`` for a VM that got no console: the VM as far as it is known, and why."""
        item = {}
        uuid = vm_uuid or ref.uuid
        if uuid:
            item['vm_instance_uuid'] = uuid
        if ref.name is not None:
            item['vm_instance_name'] = ref.name
        item['msg'] = err.msg
        if isinstance(err, ZStackApiError):
            item['error'] = err.error
        if ref.query is not None:
            item['vm_query'] = ref.query
        return item


# ------------------------------------------------------------------ failures, many at a time

def failure_groups(failures, reason=None, name_every_vm=False):
    """The reasons of ``failures`` items, each once with the VMs it hit, in the order they came (many VMs often
    fail alike: a host down, an outage): ``[(reason, [vm, ...])]``.

    A VM is named as its item names it (vm_instance_name, else vm_instance_uuid); its message starts with that name
    (VmRef.label), which the reason goes without. A message that does not (a lookup's own verdict, "No VM named
    ...") names its VM itself: its VM is None, unless ``name_every_vm`` (for items a caller may have built).
    ``reason(item, text)`` may add to a reason (the role adds the error code).
    """
    groups = {}
    for failure in failures:
        vm = str(failure.get('vm_instance_name') or failure.get('vm_instance_uuid') or '?')
        msg = str(failure.get('msg') or 'failed')
        prefix = 'VM %s: ' % vm
        named = msg.startswith(prefix)
        text = msg[len(prefix):] if named else msg
        groups.setdefault(reason(failure, text) if reason else text, []).append(
            vm if named or name_every_vm else None)
    return list(groups.items())


def name_vms(vms, most=3):
    """``a, b, c and 4 more``."""
    return ', '.join(str(vm) for vm in vms[:most]) + (' and %d more' % (len(vms) - most) if len(vms) > most else '')


def describe_groups(groups, most=5):
    """``failure_groups`` in one line: ``2 VMs (a, b): reason; VM c: other``; past ``most`` reasons, a count."""
    parts = []
    for reason, vms in groups[:most]:
        if len(vms) == 1:
            parts.append('VM %s: %s' % (vms[0], reason) if vms[0] else reason)
        else:
            parts.append('%d VMs (%s): %s' % (len(vms), name_vms(vms), reason))
    if len(groups) > most:
        parts.append('%d more VMs for other reasons (see failures)' % sum(len(vms) for _r, vms in groups[most:]))
    return '; '.join(parts)
