# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AnsibleModule of every zstack.cloud module that talks to ZStack: connection options merged in, one client."""

from __future__ import annotations

import decimal
import os

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.zstack.cloud.plugins.module_utils._client import REQUESTS_IMPORT_ERROR
from ansible_collections.zstack.cloud.plugins.module_utils._connection import (
    SECRET_OPTIONS,
    build_client,
    connection_argument_spec,
    select_auth,
)
from ansible_collections.zstack.cloud.plugins.module_utils._errors import one_line

# What the invocation record shows for a session UUID the module keeps out of Ansible's masking (see connect).
HIDDEN = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


def _is_not_finite(value):
    """Whether ansible-core would read this int option as an infinite number (or NaN)."""
    if isinstance(value, bool) or not isinstance(value, (str, float)):
        return False
    try:
        return not decimal.Decimal(value.strip() if isinstance(value, str) else value).is_finite()
    except (decimal.DecimalException, ValueError, TypeError):
        return False


class ZStackModule(AnsibleModule):
    """AnsibleModule with the connection options merged in; ``connect`` gives the task's one client."""

    def __init__(self, argument_spec=None, failure_fields=None, **kwargs):
        spec = connection_argument_spec()
        spec.update(argument_spec or {})
        # Set before AnsibleModule.__init__, which validates the arguments in it (and fails through fail_json).
        self._not_finite = []
        # Fields every failure carries, ansible-core's own argument checks included (e.g. failures=[]).
        self._failure_fields = dict(failure_fields or {})
        super().__init__(argument_spec=spec, **kwargs)
        if self._not_finite:
            self.fail_json(msg='; '.join("argument '%s' is %r, which is not a whole number" % item for item in self._not_finite))
        if REQUESTS_IMPORT_ERROR:
            self.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)

    def _load_params(self):
        super()._load_params()
        # ansible-core's int check turns "inf", "Infinity" or .inf into an OverflowError, which escapes its
        # validation as a traceback; no public hook runs before that validation. Such values are set aside here
        # (the option falls back to its default) and reported as a failure once the arguments are validated, when
        # the no_log values are known.
        for name, spec in self.argument_spec.items():
            if spec.get('type') != 'int':
                continue
            value = self.params.get(name)
            if value is None and spec.get('fallback'):
                value = next((os.environ.get(var) for var in spec['fallback'][1] if var in os.environ), None)
            if _is_not_finite(value):
                self._not_finite.append((name, value))
                self.params[name] = spec.get('default')

    def connect(self, pool_size=10, max_requests=None):
        """The task's ZStack client, not yet logged in (the caller logs in once, before any worker starts)."""
        auth = select_auth(self.params)
        for name in SECRET_OPTIONS:
            if auth.get(name):
                self.no_log_values.add(auth[name])
        if auth.get('session_uuid'):
            # Every console token embeds its session UUID ("<session>_<vm>"). Ansible masks each occurrence of a
            # no_log value anywhere in the result, which would ruin the tokens returned. So the caller's session
            # UUID leaves the masking set, and the invocation record shows a placeholder instead.
            self.no_log_values.discard(auth['session_uuid'])
            if self.params.get('session_uuid'):
                self.params['session_uuid'] = HIDDEN
        return build_client(self.params, auth, pool_size=pool_size, max_requests=max_requests)

    def fail_json(self, msg, **kwargs):
        # One line, also for ansible-core's own argument checks, which quote the value given (line breaks included).
        super().fail_json(msg=one_line(msg, limit=2000), **dict(self._failure_fields, **kwargs))
