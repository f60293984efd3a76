# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Errors raised by the ZStack client.

Each error carries the one-line message and the extra result fields that the
module returns on failure; ``ZStackModule.run`` turns them into ``fail_json``
once, at the edge of ``main()``.
"""

from __future__ import annotations

import re

# Messages must stay on one line and short enough to read in a terminal.
_MAX_TEXT = 300


def one_line(text, limit=_MAX_TEXT):
    """Collapse whitespace (newlines included) and cut overly long text."""
    text = re.sub(r'\s+', ' ', str(text)).strip()
    if len(text) > limit:
        text = text[:limit - 3] + '...'
    return text


class ZStackError(Exception):
    """Base error: a one-line ``msg`` plus fields for the failure result."""

    def __init__(self, msg, **result):
        self.msg = one_line(msg, limit=2000)
        super().__init__(self.msg)
        self.result = result

    def to_result(self):
        """The keyword arguments for ``fail_json``."""
        return dict(self.result, msg=self.msg)


class ZStackApiError(ZStackError):
    """The server answered with an API error (HTTP 503 and an ``error`` object)."""

    def __init__(self, error, status=503, context=None):
        self.error = error
        self.code = error.get('code')
        parts = ['ZStack API error %s' % (self.code or '(no code)')]
        for key in ('description', 'details'):
            if error.get(key):
                parts.append(one_line(error[key]))
        msg = ': '.join(parts)
        if context:
            msg = '%s: %s' % (context, msg)
        super().__init__(msg, error=error, status=status)


class ZStackHttpError(ZStackError):
    """The server answered with an HTTP error that carries no API error object."""

    def __init__(self, endpoint, status, text):
        self.status = status
        self.text = text or ''
        detail = one_line(text) if text else '(empty body)'
        super().__init__('ZStack at %s answered HTTP %s: %s' % (endpoint, status, detail), status=status)


class ZStackResponseError(ZStackError):
    """The server answered something the client cannot use (for example a body that is not JSON)."""


class ZStackTransportError(ZStackError):
    """The request did not get an answer: refused, DNS, TLS, time-out, dropped connection."""


class ZStackJobTimeout(ZStackError):
    """An asynchronous job did not finish within ``wait_timeout``."""


class ZStackConfigError(ZStackError):
    """Options that cannot work together (caught before any request is sent)."""
