# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Selecting VMs with a ZStack query (the ``vm_query`` option of zstack_console_access).

The conditions go to ``GET /zstack/v1/vm-instances`` as repeated ``q`` parameters, which ZStack ANDs. Each one is
checked here first the way the server will read it, so a mistake fails with one line before any request. Only VMs
in a state that can have a console are selected: the server is asked for them, and the client checks again.
"""

from __future__ import annotations

import re

from ansible_collections.zstack.cloud.plugins.module_utils._consoles import QUERY_LIMIT, UUID_PATTERN
from ansible_collections.zstack.cloud.plugins.module_utils._errors import (
    ZStackApiError,
    ZStackConfigError,
    ZStackError,
    ZStackResponseError,
)

# ConsoleApiInterceptor.consoleAvailableStates (zstackio/zstack:
# console/src/main/java/org/zstack/console/ConsoleApiInterceptor.java): any other state gets SYS.1006.
CONSOLE_STATES = ('Running', 'Crashed', 'VolumeRecovering', 'Paused', 'NoState')
STATE_CONDITION = 'state?=' + ','.join(CONSOLE_STATES)

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


def describe(conditions):
    """The query as messages name it."""
    return 'vm_query [%s]' % ', '.join(conditions)


def select_vms(client, conditions, max_vms):
    """The VMs the conditions select that can have a console, ordered by name then UUID.

    ``conditions`` and ``max_vms`` are checked already (check_conditions, check_max_vms). Fails, before any console
    is asked for, when more than ``max_vms`` VMs match (with their number) and when none does (naming the query).
    Pages follow one another only when the server gives fewer VMs than it counted.
    """
    # replyWithCount=true adds "total" (the number of matches, whatever the page) to the reply (QueryFacadeImpl
    # "return with (total)"; RestServer.writeResponse). Sorting by UUID keeps the pages of an offset query stable.
    query = [('q', condition) for condition in conditions] + [
        ('q', STATE_CONDITION), ('replyWithCount', 'true'), ('sort', 'uuid'), ('limit', str(max_vms))]
    found = {}
    start = 0
    for _page in range(max_vms):  # every page but the last adds a VM
        inventories, total = _query_page(client, query + [('start', str(start))], conditions)
        if total > max_vms:
            raise _too_many(conditions, total, max_vms)
        for vm in inventories:
            found.setdefault(vm['uuid'], vm)
        start += len(inventories)
        if not inventories or start >= total:
            break
    vms = [vm for vm in found.values() if vm.get('state') in CONSOLE_STATES]
    if len(vms) > max_vms:  # a server that counted fewer than it gave
        raise _too_many(conditions, len(vms), max_vms)
    if not vms:
        raise ZStackError('No VM in a state that can have a console (%s) matches %s'
                          % (', '.join(CONSOLE_STATES), describe(conditions)), vm_count=0)
    return sorted(vms, key=lambda vm: (str(vm.get('name') or ''), vm['uuid']))


def _too_many(conditions, count, max_vms):
    return ZStackError('%s matches %d VMs that can have a console, more than max_vms=%d; narrow the query or raise '
                       'max_vms (no console was requested)' % (describe(conditions), count, max_vms), vm_count=count)


def _query_page(client, query, conditions):
    try:
        reply = client.call('GET', 'vm-instances', query=query)
    except ZStackApiError as err:
        # SYS.1007 for a field VmInstanceInventory does not have, for example.
        raise ZStackApiError(err.error, status=err.result.get('status', 503), context=describe(conditions)) from None
    inventories, total = reply.get('inventories'), reply.get('total')
    if not isinstance(inventories, list):
        raise ZStackResponseError('ZStack answered %s without an inventories list' % describe(conditions))
    if isinstance(total, float) and total.is_integer():
        total = int(total)
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise ZStackResponseError('ZStack answered %s without a usable total (replyWithCount): %r'
                                  % (describe(conditions), total))
    for vm in inventories:
        if not isinstance(vm, dict) or not isinstance(vm.get('uuid'), str) or not UUID_PATTERN.fullmatch(vm['uuid']):
            raise ZStackResponseError('ZStack answered %s with a VM that has no UUID' % describe(conditions))
    return inventories, total
