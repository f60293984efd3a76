# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""_file_names: stems made from VM names, the names the manifest is believed for, operators' directories."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.zstack.cloud.plugins.module_utils._errors import ConsoleFilesError
from ansible_collections.zstack.cloud.plugins.module_utils._file_names import (
    assign_stems,
    is_written_name,
    operator_dest,
    safe_stem,
)

WEB01 = '374f25061ea8462da5c428fcb2aa243c'
WEB02 = 'a0d4ebf1259e4272892b996261cc9a21'
DUP1 = '7c7208c6159744e597c6474086f04727'
DUP2 = '1323e28ee0ad4cda9071efcf77130130'


@pytest.mark.parametrize('name, stem', [
    ('web-01', 'web-01'),
    ('../etc/pass wd\a;rm -rf', 'etc_pass_wd_rm_-rf'),
    ('测试-01', '测试-01'),
    ('a/b', 'a_b'),
    ('..', 'U'),
    ('...hidden', 'hidden'),
    ('-rf', 'rf'),
    ('a..b', 'a.b'),
    ('x\u202eexe.html', 'x_exe.html'),  # right-to-left override
    ('nul\x00byte', 'nul_byte'),
    ('<script>alert(1)</script>', 'script_alert_1_script'),
    ('   ', 'U'),
    (None, 'U'),
    ('e\u0301', '\u00e9'),  # NFC
])
def test_safe_stem(name, stem):
    assert safe_stem(name, 'U') == stem


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_safe_stem_is_always_a_plain_file_name_the_manifest_would_believe(name):
    stem = safe_stem(name, 'f' * 32)
    assert stem and '/' not in stem and '\x00' not in stem and '..' not in stem
    assert not stem.startswith(('.', '-'))
    assert all(unicodedata.category(c)[0] != 'C' for c in stem)
    assert len((stem + '-' + 'f' * 32 + '-99.json').encode('utf-8')) < 255
    assert is_written_name(stem + '.html') and is_written_name(stem + '.json')


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(['web', 'WEB', 'web/01', 'web 01', 'web_01', 'index', 'INDEX', '', '..',
                                           'web-aaaaaaaa', 'web-' + 'a' * 32]),
                          st.sampled_from(['a' * 32, 'b' * 32, 'c' * 32, 'd' * 32, 'e' * 32])),
                max_size=8, unique_by=lambda pair: pair[1]))
def test_assign_stems_are_distinct_and_never_index(pairs):
    folded = [s.casefold() for s in assign_stems([{'name': name, 'uuid': uuid} for name, uuid in pairs])]
    assert len(set(folded)) == len(folded) and 'index' not in folded


def test_assign_stems_collisions_do_not_depend_on_order():
    items = [{'name': 'web 01', 'uuid': WEB01}, {'name': 'web/01', 'uuid': WEB02}, {'name': 'db', 'uuid': DUP1},
             {'name': 'INDEX', 'uuid': DUP2}]
    assert assign_stems(items) == ['web_01-374f2506', 'web_01-a0d4ebf1', 'db', 'INDEX-1323e28e']
    assert assign_stems(list(reversed(items))) == ['INDEX-1323e28e', 'db', 'web_01-a0d4ebf1', 'web_01-374f2506']
    assert assign_stems([{'name': None, 'uuid': DUP1}]) == [DUP1]


@pytest.mark.parametrize('name, believed', [
    ('web-01.html', True), ('web-01.json', True), ('index.html', True), ('测试-01.json', True),
    ('.zstack-console-files.json', False), ('../etc/passwd.json', False), ('/etc/x.json', False),
    ('notes.txt', False), ('.bashrc', False), ('a b.html', False), ('.json', False), ('-rf.json', False),
    (None, False), (['x.json'], False),
])
def test_is_written_name(name, believed):
    assert is_written_name(name) is believed


@pytest.mark.parametrize('dest, home, expected', [
    (None, '/home/alice', '/home/alice/zstack-consoles'),
    ('/srv//c/./x/', '/home/alice', '/srv/c/x'),
    ('//srv/c', None, '/srv/c'),
])
def test_operator_dest(dest, home, expected):
    assert operator_dest('alice', dest, home, 'zstack-consoles') == expected


@pytest.mark.parametrize('dest, home, message', [
    ('relative', '/h', 'must be an absolute path'), ('/', '/h', 'must not be the root directory'),
    ('/x/..', '/h', 'must not be the root directory'), (None, '', 'no home directory'),
])
def test_operator_dest_refused(dest, home, message):
    with pytest.raises(ConsoleFilesError, match=message):
        operator_dest('alice', dest, home, 'zstack-consoles')
