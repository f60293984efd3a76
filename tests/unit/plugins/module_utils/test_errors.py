# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of _errors: one-line messages and the failure result."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.zstack.cloud.plugins.module_utils._errors import (
    ZStackApiError,
    ZStackConfigError,
    ZStackError,
    ZStackHttpError,
    one_line,
)


def test_one_line_collapses_whitespace():
    assert one_line('  a\n\tb\r\n  c  ') == 'a b c'
    assert one_line(42) == '42'


def test_one_line_cuts_long_text():
    text = one_line('x' * 1000)
    assert len(text) == 300 and text.endswith('...')
    assert one_line('x' * 50, limit=10) == 'x' * 7 + '...'


@settings(max_examples=150, deadline=None, database=None)
@given(st.text())
def test_one_line_property(text):
    line = one_line(text)
    assert line.splitlines() in ([line], [])
    assert len(line) <= 300
    assert line == line.strip()


def test_zstack_error_result():
    err = ZStackError('first line\nsecond line', candidates=['a'])
    assert err.msg == 'first line second line'
    assert str(err) == err.msg
    assert err.to_result() == {'msg': 'first line second line', 'candidates': ['a']}
    assert isinstance(ZStackConfigError('x'), ZStackError)


def test_api_error_message_and_result():
    error = {'code': 'SYS.1003', 'description': 'resource not found', 'details': 'vm[uuid:x] not found',
             'cause': {'code': 'SYS.1000', 'cause': None}}
    err = ZStackApiError(error)
    assert err.code == 'SYS.1003'
    assert err.msg == 'ZStack API error SYS.1003: resource not found: vm[uuid:x] not found'
    assert err.to_result() == {'msg': err.msg, 'error': error, 'status': 503}

    # Context is added by wrapping: a new error of the same type, caused by the first, which stays as it was.
    wrapped = err.within('Login')
    assert wrapped.__class__ is ZStackApiError and wrapped.__cause__ is err
    assert wrapped.msg == 'Login: ' + err.msg and str(wrapped) == wrapped.msg
    assert (wrapped.code, wrapped.error, wrapped.status) == ('SYS.1003', error, 503)
    assert err.msg == 'ZStack API error SYS.1003: resource not found: vm[uuid:x] not found'


def test_api_error_skips_empty_parts():
    assert ZStackApiError({'code': 'X', 'description': '', 'details': None}).msg == 'ZStack API error X'


def test_http_error_message():
    err = ZStackHttpError('http://h:8080', 404, 'no api mapping\nto /x')
    assert err.msg == 'ZStack at http://h:8080 answered HTTP 404: no api mapping to /x'
    assert err.status == 404
    assert err.text == 'no api mapping\nto /x'  # the raw body, for callers that match on it (requestTimeTooSkewed)
    assert ZStackHttpError('http://h:8080', 400, '').msg.endswith('(empty body)')
    assert ZStackHttpError('http://h:8080', 400, None).text == ''
