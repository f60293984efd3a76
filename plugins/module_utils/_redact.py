# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Messages without secrets: console tokens and session UUIDs taken out of text, and the one-paragraph failure
message the ``console_failure_message`` filter (and so the console_files role) makes from a failed task result."""

from __future__ import annotations

import re

from ansible_collections.zstack.cloud.plugins.module_utils._console_entry import describe_groups, failure_groups, name_vms

# A console token is "<session uuid>_<vm uuid>" (docs/zstack-api-notes.md): anything that looks like one is a
# credential, and so is a bare session UUID next to the word "session" or after "OAuth".
TOKEN_RE = re.compile(r'[0-9a-fA-F]{32}_[0-9a-fA-F]{32}')
SESSION_RE = re.compile(r'(?i)((?:sessions?|oauth)[^0-9a-zA-Z]{0,12}(?:uuid[^0-9a-zA-Z]{0,3})?)[0-9a-f]{32}')
REDACTED = '<redacted>'


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


def _with_code(failure, text):
    """A failure's reason with the API error code, when the reason does not say it."""
    code = failure['error'].get('code') if isinstance(failure.get('error'), dict) else None
    return text + ' [%s]' % code if code and str(code) not in text else text


def failure_message(result, what='zstack_console_access', item_label=None):
    """A one-paragraph failure message from a failed task result, with no token in it.

    Knows the module's result (msg, the ``failures`` items of the VMs that got no console, the API error code) and
    loop results (results[] with failed and msg). A loop item is named by its label, or, under no_log (which hides
    the label), by ``item_label``: dotted paths into the item, joined by ': '.
    """
    if not isinstance(result, dict):
        return redact('%s failed: %s' % (what, result))
    failures = [f for f in result.get('failures') or [] if isinstance(f, dict)]
    if failures:
        groups = failure_groups(failures, _with_code, name_every_vm=True)
        count = '%d VM%s' % (len(failures), '' if len(failures) == 1 else 's')
        if len(groups) == 1 and len(failures) > 1:
            message = '%s failed for %s (%s): %s' % (what, count, name_vms(groups[0][1]), groups[0][0])
        else:
            message = '%s failed for %s: %s' % (what, count, describe_groups(groups))
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
