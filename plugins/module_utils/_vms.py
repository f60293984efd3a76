# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which VMs a task means, and finding them on ZStack.

A task names VMs by UUID or by name (``VmRef``), or by a query (``QueryItem``: ``vm_query``, or ``{query: [...],
max_vms: N}`` in ``vm_instances``). ``parse_items`` reads them from the options, ``select`` runs the queries,
``resolve_names`` finds many names with few requests, and ``find_vm_by_name`` the rest, one by one;
``find_vms_by_uuids`` reads VMs given by UUID, and ``list_vms`` every VM a query selects, page after page. A name
that cannot be sent as it is (a quote, see ``sendable``) is looked for with a ``~=`` pattern; every name is matched
exactly here, whatever the server matched.

Queries go to ``GET /zstack/v1/vm-instances`` as repeated ``q`` parameters, which ZStack ANDs. Each condition is
checked here first the way the server will read it, so a mistake fails with one line before any request. A query
keeps the VMs of a ``VmScope``: for consoles, those in a state that can have one (the server is asked for them, and
the client checks again); for the info module and the inventory, those that are not Destroyed, or every VM.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.zstack.cloud.plugins.module_utils._errors import (
    SessionExpired,
    VmLookupError,
    ZStackApiError,
    ZStackConfigError,
    ZStackError,
    ZStackResponseError,
)

UUID_PATTERN = re.compile(r'[0-9a-fA-F]{32}')
DASHED_UUID_PATTERN = re.compile(r'[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}')
# The server's default page size (APIQueryMessage.limit): a reply this long may have been cut.
QUERY_LIMIT = 1000
# Names per query when several VMs are asked for by name, and the most characters of names in one query (the
# server, or a proxy in front of it, may refuse a long URL).
NAMES_PER_QUERY = 50
NAME_CHARS_PER_QUERY = 2000
# A name with one of these cannot go in a `name?=a,b` list: the comma separates, the others make query operators,
# and a quote breaks the whole query (see sendable).
_UNLISTABLE = re.compile(r"[,=<>']")
# In the ~= pattern of a name that cannot be sent: a quote (ZQL), a backslash (LIKE's escape character) and "="
# (which could make an operator RestServer finds first) each become "_", LIKE's one-character wildcard.
_PATTERN_UNSAFE = re.compile(r"['\\=]")

# The options that name VMs, exactly one of which a task gives (zstack_console_access, zstack_vm_info).
SELECTORS = ('vm_instance_uuid', 'vm_instance_name', 'vm_instances', 'vm_query')


def selector_argument_spec(max_vms):
    """The argument spec of the options that name VMs (SELECTORS) and of max_vms, with its default."""
    return dict(
        vm_instance_uuid=dict(type='str'),
        vm_instance_name=dict(type='str'),
        vm_instances=dict(type='list', elements='raw'),
        vm_query=dict(type='list', elements='str'),
        max_vms=dict(type='int', default=max_vms),
    )


class VmRef:
    """A VM as the user named it: by UUID, or by a name still to be resolved; a VM that vm_query found, by both."""

    def __init__(self, given, uuid=None, name=None, query=None):
        self.given = given
        self.uuid = uuid
        self.name = name
        self.query = query  # the vm_query conditions that selected this VM, if a query did

    def label(self, uuid=None):
        """The VM as messages name it: its name when known, else its UUID (``uuid`` found for it, or its own, in
        lower case). Its failure item names it alike (vm_instance_name, else vm_instance_uuid), so a reason is read
        back from a message by that prefix (the console service groups the VMs that failed alike)."""
        return self.name or uuid or self.uuid

    @classmethod
    def parse(cls, value, option):
        value = value.strip() if isinstance(value, str) else value
        if not value:
            raise ZStackConfigError('%s: an empty VM reference is not a UUID or a name' % option)
        if option == 'vm_instance_uuid' or DASHED_UUID_PATTERN.fullmatch(value):
            if not UUID_PATTERN.fullmatch(value):
                raise ZStackConfigError('%s: %r is not a ZStack UUID (32 hex characters, no dashes)' % (option, value))
        if UUID_PATTERN.fullmatch(value):
            return cls(value, uuid=value.lower())
        return cls(value, name=value)


def parse_items(params, scope=None):
    """What the task names, in order: VmRefs, and QueryItems still to run (vm_query, or query items of vm_instances).

    ``params`` holds vm_query, vm_instance_uuid, vm_instance_name, vm_instances and max_vms. The same item given
    twice counts once. ``scope``: the VMs a query item keeps (CONSOLE_SCOPE by default).
    """
    check_max_vms(params['max_vms'])
    if params['vm_query'] is not None:
        return [QueryItem(params['vm_query'], params['max_vms'], scope)]
    if params['vm_instance_uuid'] is not None:
        return [VmRef.parse(params['vm_instance_uuid'], 'vm_instance_uuid')]
    if params['vm_instance_name'] is not None:
        return [VmRef.parse(params['vm_instance_name'], 'vm_instance_name')]
    if not params['vm_instances']:
        raise ZStackConfigError('vm_instances is empty: list at least one VM UUID or name')
    items, seen = [], set()
    for given in params['vm_instances']:
        if isinstance(given, dict):
            item = QueryItem.parse(given, params['max_vms'], scope=scope)
            key = ('query', tuple(item.conditions), item.max_vms)
        elif isinstance(given, (str, int)) and not isinstance(given, bool):
            item = VmRef.parse(str(given), 'vm_instances')
            key = ('vm', item.given)
        else:
            raise ZStackConfigError('vm_instances: %r is neither a VM UUID or name nor a query item ({query: [...]})'
                                    % (given,))
        if key not in seen:
            seen.add(key)
            items.append(item)
    return items


def most_vms(items):
    """The most VMs ``items`` can stand for (each query item counts its max_vms)."""
    return sum(item.max_vms if isinstance(item, QueryItem) else 1 for item in items)


def select(client, items):
    """The VMs to serve, as VmRefs: the queries run (before any console is asked for), the other references as given."""
    refs = []
    for item in items:
        if isinstance(item, QueryItem):
            refs.extend(VmRef(vm['uuid'], uuid=vm['uuid'], name=vm.get('name'), query=item.conditions)
                        for vm in item.select(client))
        else:
            refs.append(item)
    return refs


def resolve_names(client, refs, pool=None):
    """When several VMs are given by name, their names resolved a chunk per query: ``{name: VM or ZStackError}``.

    Names left out (a single name, names that cannot go in a list, chunks whose reply may have been cut) are for
    ``vm_uuid`` to resolve one by one. ``pool``: an executor to run the chunks' queries side by side.
    """
    names = list(dict.fromkeys(ref.name for ref in refs if ref.name is not None and ref.uuid is None))
    if len(names) < 2:
        return {}

    def resolve(chunk):
        try:
            return find_vms_by_names(client, chunk) or {}
        except SessionExpired as err:  # no new login helps any name of the chunk
            return dict.fromkeys(chunk, err)
        except ZStackApiError:
            return {}  # the server refused the list, maybe for one name's sake: each name is looked up alone
        except ZStackError as err:
            return dict.fromkeys(chunk, err)

    resolved = {}
    chunks = listable_names(names)
    for found in (pool.map(resolve, chunks) if pool else map(resolve, chunks)):
        resolved.update(found)
    return resolved


def vm_uuid(client, ref, resolved):
    """The UUID ``ref`` stands for: its own, the one ``resolved`` (from resolve_names) found, or a lookup now.

    Raises VmLookupError when no VM or several answer to the name, with the VM named; any other failure is
    wrapped with the VM as it was given.
    """
    if ref.uuid:
        return ref.uuid
    return named_vm(client, ref, resolved)['uuid']


def named_vm(client, ref, resolved):
    """The inventory of the VM ``ref`` names (a VmRef by name): the one ``resolved`` found, or a lookup now.

    Raises like vm_uuid.
    """
    try:
        vm = resolved.get(ref.name)
        if isinstance(vm, ZStackError):
            raise vm
        return vm or find_vm_by_name(client, ref.name)
    except VmLookupError:
        raise  # its message names the VM already
    except ZStackError as err:
        raise err.within('VM %s' % ref.label()) from None


def sendable(name):
    """Whether ``name=<name>`` reaches ZStack as that name and runs.

    Not with a quote: RestServer hands the value to QueryFacadeImpl, which writes ``'`` as ``\\'`` (4.6.31 on) or as
    it is into the ZQL text, and ZQL's lexer knows only ``''`` inside a string, so the query fails with SYS.1000
    (zstackio/zstack: search/src/main/java/org/zstack/query/QueryFacadeImpl.java, search/src/main/antlr4/ZQL.g4).
    Not when RestServer would read another operator in it first (``a!=b``, see parse_condition).
    """
    if "'" in name:
        return False
    try:
        return parse_condition('name=' + name) == ('name', '=', name)
    except ZStackConfigError:
        return False


def name_pattern(name):
    """The ``~=`` (SQL LIKE) pattern that finds a name which cannot be sent: each quote, backslash and ``=`` as
    ``_``. A ``%`` or ``_`` in the name is a wildcard too, so the pattern may match more names than this one: the
    match is exact on the client (pick_vm)."""
    return _PATTERN_UNSAFE.sub('_', name)


def _inventories(reply, what):
    """The ``inventories`` list of a query's reply; a reply without one fails, naming ``what`` was asked."""
    inventories = reply.get('inventories')
    if not isinstance(inventories, list):
        raise ZStackResponseError('ZStack answered %s without an inventories list' % what)
    return inventories


def find_vms_by_uuids(client, uuids):
    """The VMs with these UUIDs, in any state, a query per NAMES_PER_QUERY of them (``q=uuid?=a,b,c``):
    ``{uuid: VM inventory}``. A UUID no VM has, or one of a VM this account may not see, is left out.
    """
    uuids = list(dict.fromkeys(uuids))
    found = {}
    for first in range(0, len(uuids), NAMES_PER_QUERY):
        chunk = uuids[first:first + NAMES_PER_QUERY]
        reply = client.call('GET', 'vm-instances', query=[('q', 'uuid?=%s' % ','.join(chunk)),
                                                          ('limit', str(len(chunk)))])
        inventories = _inventories(reply, 'the VM query for %d UUIDs' % len(chunk))
        for vm in inventories:
            if isinstance(vm, dict) and vm.get('uuid') in chunk:
                found[vm['uuid']] = vm
    return found


def find_vm_by_name(client, name):
    """The one VM called ``name`` that is not Destroyed, else a failure that lists the candidates."""
    exact = sendable(name)
    condition = 'name=%s' % name if exact else 'name~=%s' % name_pattern(name)
    reply = client.call('GET', 'vm-instances', query=[('q', condition)])
    inventories = _inventories(reply, 'the VM query for %r' % name)
    if not exact and len(inventories) >= QUERY_LIMIT and not any(
            isinstance(vm, dict) and vm.get('name') == name for vm in inventories):
        raise VmLookupError('VM name %r cannot be sent to ZStack as it is, and the pattern %r that stands for it '
                            'matches %d VMs or more, which may leave it out; use its UUID instead'
                            % (name, condition[len('name~='):], QUERY_LIMIT))
    return pick_vm(name, inventories)


def listable_names(names):
    """The names that can be resolved together, in chunks for find_vms_by_names; the others go one by one."""
    chunks, chunk, size = [], [], 0
    for name in names:
        if _UNLISTABLE.search(name):
            continue
        if chunk and (len(chunk) >= NAMES_PER_QUERY or size + len(name) > NAME_CHARS_PER_QUERY):
            chunks.append(chunk)
            chunk, size = [], 0
        chunk.append(name)
        size += len(name) + 1
    if chunk:
        chunks.append(chunk)
    return chunks


def find_vms_by_names(client, names):
    """Resolve several names with one query (``q=name?=a,b,c``): ``{name: VM inventory or ZStackError}``.

    Each name gets exactly the verdict find_vm_by_name would give it: the server compares names
    case-insensitively, the client exactly. Returns None when the reply may have been cut (QUERY_LIMIT):
    the caller then resolves these names one by one. A failed query raises, for every name of the chunk.
    """
    reply = client.call('GET', 'vm-instances', query=[('q', 'name?=%s' % ','.join(names))])
    inventories = _inventories(reply, 'the VM query for %d names' % len(names))
    if len(inventories) >= QUERY_LIMIT:
        return None
    found = {}
    for name in names:
        try:
            found[name] = pick_vm(name, inventories)
        except ZStackError as err:
            found[name] = err
    return found


def pick_vm(name, inventories):
    """From a query's inventories, the one VM called exactly ``name`` that is not Destroyed, else a failure."""
    same_name = [vm for vm in inventories if isinstance(vm, dict) and vm.get('name') == name]
    live = [vm for vm in same_name if vm.get('state') != 'Destroyed']
    if len(live) == 1:
        return live[0]
    if live:
        raise VmLookupError('VM name %r is ambiguous: %d VMs that are not Destroyed have it (%s); use its UUID instead'
                            % (name, len(live), ', '.join(vm.get('uuid', '?') for vm in live)),
                            candidates=[vm.get('uuid') for vm in live])
    destroyed = [vm.get('uuid', '?') for vm in same_name]
    hint = ' (only Destroyed VMs have that name: %s)' % ', '.join(destroyed) if destroyed else ''
    raise VmLookupError('No VM named %r that is not Destroyed%s' % (name, hint), candidates=destroyed)


# ConsoleApiInterceptor.consoleAvailableStates (zstackio/zstack:
# console/src/main/java/org/zstack/console/ConsoleApiInterceptor.java): any other state gets SYS.1006.
CONSOLE_STATES = ('Running', 'Crashed', 'VolumeRecovering', 'Paused', 'NoState')
STATE_CONDITION = 'state?=' + ','.join(CONSOLE_STATES)


class VmScope:
    """The VMs a query keeps, by state: the condition the server is sent (None: none), the states the client keeps
    (None: every state but ``excluded``), how messages say it, and what no match at all means."""

    def __init__(self, condition, states=None, excluded=(), phrase='', no_match=None, nothing_done=''):
        self.condition = condition
        self.states = states
        self.excluded = excluded
        self.phrase = phrase            # "that can have a console": how a count of VMs is worded
        self.no_match = no_match        # the failure when no VM matches; None: no match is an empty answer
        self.nothing_done = nothing_done  # said when there are too many: what was not done

    def keeps(self, vm):
        state = vm.get('state')
        return state in self.states if self.states is not None else state not in self.excluded

    def count(self, number):
        return '%d VMs%s' % (number, ' ' + self.phrase if self.phrase else '')


# zstack_console_access: only VMs that can have a console.
CONSOLE_SCOPE = VmScope(STATE_CONDITION, states=CONSOLE_STATES, phrase='that can have a console',
                        no_match='No VM in a state that can have a console (%s)' % ', '.join(CONSOLE_STATES),
                        nothing_done=' (no console was requested)')
# zstack_vm_info and the inventory plugin: every VM but the Destroyed ones (kept until expunged), or every VM.
NOT_DESTROYED_SCOPE = VmScope('state!=Destroyed', excluded=('Destroyed',), phrase='that are not Destroyed')
ANY_STATE_SCOPE = VmScope(None)

# RestServer.QUERY_OP_MAPPING (zstackio/zstack: rest/src/main/java/org/zstack/rest/RestServer.java), in its order:
# handleQueryApi takes the FIRST of these that the condition contains anywhere (not the leftmost in the text) and
# splits the condition at its first occurrence; it trims the field name, never the value.
QUERY_OPERATORS = ('!=', '>=', '<=', '!?=', '!~=', '~=', '?=', '=', '>', '<', 'is null', 'not null')
NULL_OPERATORS = ('is null', 'not null')
# A field of ZStack's query language: ID ('.' ID)*, ID being [a-zA-Z0-9_]+ (zstackio/zstack:
# search/src/main/antlr4/ZQL.g4), e.g. hostUuid, vmNics.ip, __userTag__.
FIELD_PATTERN = re.compile(r'[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*')

# max_vms: at most the server's default page (APIQueryMessage.limit = 1000); one query page can then hold them all.
MAX_VMS_BOUNDS = (1, QUERY_LIMIT)


def check_conditions(conditions):
    """The conditions of ``vm_query`` as they will be sent, or a ZStackConfigError on the first that cannot work."""
    if not conditions:
        raise ZStackConfigError('vm_query is empty: give at least one condition, such as hostUuid=<uuid>')
    for condition in conditions:
        parse_condition(condition)
    return list(conditions)


def parse_condition(condition):
    """``(field, operator, value)`` as RestServer.handleQueryApi will read ``condition`` (value None for the null
    operators), or a ZStackConfigError when that reading is not a condition ZStack can run as written."""
    if not isinstance(condition, str) or not condition.strip():
        raise ZStackConfigError('vm_query: %r is not a condition; write field, operator and value, such as '
                                'hostUuid=<uuid> or name~=web-%%' % (condition,))
    operator = next((op for op in QUERY_OPERATORS if op in condition), None)
    if operator is None:
        raise ZStackConfigError('vm_query: %r has no query operator; ZStack knows %s, plus "is null" and "not null" '
                                '(on the command line, a comma starts a new condition: give a JSON list)'
                                % (condition, ' '.join(QUERY_OPERATORS[:-2])))
    field, value = condition.split(operator, 1)
    field = field.strip()
    if not FIELD_PATTERN.fullmatch(field):
        raise ZStackConfigError('vm_query: ZStack reads %r as field %r and operator %r, and %r is not a field name '
                                '(letters, digits, _ and . only; a value cannot hold an operator ZStack looks for '
                                'before the one meant)' % (condition, field, operator, field))
    if operator in NULL_OPERATORS:
        if value.strip():
            raise ZStackConfigError('vm_query: %r has text after %r, which ZStack would ignore'
                                    % (condition, operator))
        return field, operator, None
    if value == '':
        # StringUtils.splitByWholeSeparator drops empty parts: the server answers HTTP 400 "not a key-value pair".
        raise ZStackConfigError('vm_query: %r has no value after %r' % (condition, operator))
    if value.startswith(operator):
        # ... and skips a separator that follows the first: "name==web" reads as name=web, not name="=web".
        raise ZStackConfigError('vm_query: %r has a value that starts with its operator %r, which ZStack would drop'
                                % (condition, operator))
    return field, operator, value


def check_max_vms(max_vms):
    lowest, highest = MAX_VMS_BOUNDS
    if not lowest <= max_vms <= highest:
        raise ZStackConfigError('max_vms must be between %d and %d, got %s' % (lowest, highest, max_vms))
    return max_vms


class QueryItem:
    """A query in a VM list: ``{query: [conditions], max_vms: N}`` (an item of vm_instances, or vm_query itself)."""

    KEYS = ('query', 'max_vms')

    def __init__(self, conditions, max_vms, scope=None):
        self.conditions = check_conditions(conditions)
        self.max_vms = check_max_vms(max_vms)
        self.scope = scope or CONSOLE_SCOPE

    @classmethod
    def parse(cls, item, default_max_vms, option='vm_instances', scope=None):
        unknown = sorted(str(key) for key in item if key not in cls.KEYS)
        if unknown or 'query' not in item:
            raise ZStackConfigError('%s: a query item has the keys query (a list of conditions) and optionally max_vms, '
                                    'got %s' % (option, ', '.join(sorted(str(key) for key in item)) or 'none'))
        conditions = item['query']
        if isinstance(conditions, str):
            conditions = [conditions]
        if not isinstance(conditions, list):
            raise ZStackConfigError('%s: query must be a list of conditions, such as [hostUuid=<uuid>]' % option)
        max_vms = item.get('max_vms', default_max_vms)
        try:
            max_vms = int(max_vms)
        except (TypeError, ValueError, OverflowError):
            raise ZStackConfigError('%s: max_vms must be a whole number, got %r' % (option, max_vms)) from None
        return cls(conditions, max_vms, scope)

    def select(self, client):
        """The VMs it selects (see select_vms)."""
        return select_vms(client, self.conditions, self.max_vms, self.scope)


def describe(conditions):
    """The query as messages name it."""
    return 'vm_query [%s]' % ', '.join(conditions) if conditions else 'the query of every VM'


def _conditions(conditions, scope):
    """The ``q`` parameters of a query within ``scope``: each condition, then the scope's state filter."""
    state = [('q', scope.condition)] if scope.condition else []
    return [('q', condition) for condition in conditions] + state


# replyWithCount=true adds "total" (the number of matches, whatever the page) to the reply (QueryFacadeImpl "return
# with (total)"; RestServer.writeResponse). Sorting by UUID keeps the pages of an offset query stable.
COUNTED = ('replyWithCount', 'true')
BY_UUID = ('sort', 'uuid')


def select_vms(client, conditions, max_vms, scope=None):
    """The VMs the conditions select within ``scope`` (CONSOLE_SCOPE by default), ordered by name then UUID.

    ``conditions`` and ``max_vms`` are checked already (check_conditions, check_max_vms). Fails, before any console
    is asked for, when more than ``max_vms`` VMs match (with their number), and when none does (naming the query)
    unless the scope takes no match as an empty answer. Pages follow one another only when the server gives fewer
    VMs than it counted.
    """
    scope = scope or CONSOLE_SCOPE
    query = _conditions(conditions, scope) + [COUNTED, BY_UUID, ('limit', str(max_vms))]
    found = {}
    start = 0
    for _page in range(max_vms):  # every page but the last adds a VM
        inventories, total = _query_page(client, query + [('start', str(start))], conditions)
        if total > max_vms:
            raise _too_many(conditions, total, max_vms, scope)
        for vm in inventories:
            found.setdefault(vm['uuid'], vm)
        start += len(inventories)
        if not inventories or start >= total:
            break
    vms = [vm for vm in found.values() if scope.keeps(vm)]
    if len(vms) > max_vms:  # a server that counted fewer than it gave
        raise _too_many(conditions, len(vms), max_vms, scope)
    if not vms and scope.no_match:
        raise ZStackError('%s matches %s' % (scope.no_match, describe(conditions)), vm_count=0)
    return sorted(vms, key=lambda vm: (str(vm.get('name') or ''), vm['uuid']))


def _too_many(conditions, count, max_vms, scope):
    return ZStackError('%s matches %s, more than max_vms=%d; narrow the query or raise max_vms%s'
                       % (describe(conditions), scope.count(count), max_vms, scope.nothing_done), vm_count=count)


# Pages of a listing (list_vms, the inventory plugin's): ZStack's own default page size (APIQueryMessage.limit), and
# how many pages are asked for at once after the first one, which says how many VMs there are.
LIST_PAGE_SIZE = QUERY_LIMIT
LIST_PAGES_IN_FLIGHT = 4


def list_vms(client, conditions, scope, page_size=LIST_PAGE_SIZE, pages_in_flight=LIST_PAGES_IN_FLIGHT):
    """Every VM the conditions select within ``scope``, in UUID order: every page read, however many VMs match.

    ZStack answers a query with at most ``limit`` VMs (1000 unless asked otherwise: APIQueryMessage.limit) from
    ``start`` on (RestServer.handleQueryApi, zstackio/zstack: rest/src/main/java/org/zstack/rest/RestServer.java).
    The first page carries the count (replyWithCount); the others are asked for side by side, at most
    ``pages_in_flight`` at a time, each at its offset in the UUID order. A first page shorter than asked while more
    VMs match is the server's own cap: the other pages are that long. A VM created or destroyed while the pages are
    read may shift the later pages by one: it, or a neighbour, may be missed or listed twice (listed once here).
    """
    query = _conditions(conditions, scope)
    first, total = _query_page(client, query + [COUNTED, BY_UUID, ('limit', str(page_size)), ('start', '0')],
                               conditions)
    size = len(first) if 0 < len(first) < min(page_size, total) else page_size
    starts = list(range(len(first), total, size)) if first else []

    def page(start):
        return _query_page(client, query + [BY_UUID, ('limit', str(size)), ('start', str(start))], conditions,
                           counted=False)[0]

    pages = [first]
    if starts:
        with ThreadPoolExecutor(max_workers=max(1, min(pages_in_flight, len(starts)))) as pool:
            pages.extend(pool.map(page, starts))
    found = {}
    for inventories in pages:
        for vm in inventories:
            found.setdefault(vm['uuid'], vm)
    return sorted((vm for vm in found.values() if scope.keeps(vm)), key=lambda vm: vm['uuid'])


def _query_page(client, query, conditions, counted=True):
    """One page of a query: ``(inventories, total)``, total None unless ``counted`` (replyWithCount was sent)."""
    try:
        reply = client.call('GET', 'vm-instances', query=query)
    except ZStackApiError as err:
        # SYS.1000 for a field VmInstanceInventory does not have (ZQL's field check), for example.
        raise err.within(describe(conditions)) from None
    inventories, total = _inventories(reply, describe(conditions)), reply.get('total')
    for vm in inventories:
        if not isinstance(vm, dict) or not isinstance(vm.get('uuid'), str) or not UUID_PATTERN.fullmatch(vm['uuid']):
            raise ZStackResponseError('ZStack answered %s with a VM that has no UUID' % describe(conditions))
    if not counted:
        return inventories, None
    if isinstance(total, float) and total.is_integer():
        total = int(total)
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise ZStackResponseError('ZStack answered %s without a usable total (replyWithCount): %r'
                                  % (describe(conditions), total))
    return inventories, total
