# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The errors of the collection, one type for each kind a caller branches on.

Each error carries a one-line ``msg`` and the extra fields of the failure result. Context is added by wrapping
(``err.within('VM web-01')`` is a new error of the same type, caused by ``err``), never by editing ``err.msg``.
``_runner.run_task`` turns them into ``fail_json`` in one place.

- ``ZStackConfigError``: options that cannot work, found before any request (the user's to fix);
- ``ZStackApiError``: the server refused with an API error (``code``, ``error``, ``status``);
  ``SessionExpired`` is its ``ID.1001``;
- ``VmLookupError``: no VM, or several, answer to a name (``candidates``);
- ``ZStackResponseError``: the server answered something the client cannot use (bad data from the server);
- ``ZStackHttpError``: an HTTP error without an API error object;
- ``ZStackTransportError``: no answer at all; ``ZStackJobTimeout``: a job that did not end in time.
- ``ConsoleFilesError``: input zstack_console_files cannot write files from (an operator, a directory, a console
  entry); found on the target, no request involved.
"""

from __future__ import annotations

import re

# Messages must stay on one line and short enough to read in a terminal.
_MAX_TEXT = 300
SESSION_EXPIRED = 'ID.1001'


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

    def within(self, context):
        """The same error, of the same type, with ``context: `` before its message; caused by this one."""
        wrapped = self.__class__.__new__(self.__class__)
        wrapped.__dict__.update(self.__dict__)
        wrapped.msg = one_line('%s: %s' % (context, self.msg), limit=2000)
        Exception.__init__(wrapped, wrapped.msg)
        wrapped.__cause__ = self
        return wrapped

    def to_result(self):
        """The keyword arguments for ``fail_json``."""
        return dict(self.result, msg=self.msg)


class ZStackConfigError(ZStackError):
    """Options that cannot work together (caught before any request is sent)."""


class ZStackApiError(ZStackError):
    """The server answered with an API error (HTTP 503 and an ``error`` object)."""

    def __init__(self, error, status=503, msg=None):
        self.error = error
        self.code = error.get('code')
        self.status = status
        if msg is None:
            parts = ['ZStack API error %s' % (self.code or '(no code)')]
            for key in ('description', 'details'):
                if error.get(key):
                    parts.append(one_line(error[key]))
            msg = ': '.join(parts)
        super().__init__(msg, error=error, status=status)


class SessionExpired(ZStackApiError):
    """``ID.1001``: the session a request carried is invalid or has expired (raised by the client)."""

    def __init__(self, error, status=503, session=None, msg=None):
        super().__init__(error, status, msg)
        self.session = session  # the Session whose headers the request carried


class VmLookupError(ZStackError):
    """No VM, or more than one, answers to a name; ``candidates`` are the UUIDs that came close."""

    def __init__(self, msg, candidates=()):
        self.candidates = list(candidates)
        super().__init__(msg, candidates=self.candidates)


class ZStackHttpError(ZStackError):
    """The server answered with an HTTP error that carries no API error object."""

    def __init__(self, endpoint, status, text):
        self.status = status
        self.text = text or ''
        detail = one_line(text) if text else '(empty body)'
        super().__init__('ZStack at %s answered HTTP %s: %s' % (endpoint, status, detail), status=status)


class ZStackResponseError(ZStackError):
    """The server answered something the client cannot use: bad data from the server (a body that is not JSON, a
    console without a token, a query reply without its list)."""


class ZStackTransportError(ZStackError):
    """The request did not get an answer: refused, DNS, TLS, time-out, dropped connection."""


class ZStackJobTimeout(ZStackError):
    """An asynchronous job did not finish within ``wait_timeout``."""


class ConsoleFilesError(ZStackError):
    """Input zstack_console_files cannot write files from; the message names the operator or VM, never a token."""
