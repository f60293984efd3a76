# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the bundled spice-html5 (_spice.py) and of tools/spice/build.py, without the network or npm.

The rebuild itself (the pinned .deb downloaded, npm ci + esbuild, then the same comparison) is `python3
tools/spice/build.py --check`, the make stage spice-check. Here: the committed module is intact, says what it is,
matches the pins, keeps the notices the minifier would drop; the .deb is checked and unpacked safely; the
comparison the check makes finds every kind of drift.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import json
import shutil
import tarfile
import zlib
from pathlib import Path

import pytest

from ansible_collections.zstack.cloud.plugins.module_utils import _spice

ROOT = Path(__file__).resolve().parents[4]
TOOLS = ROOT / 'tools' / 'spice'
LGPL_SHA256 = 'e3a994d82e644b03a792a930f574002658412f62407f5fee083f2555c5f23118'  # the FSF's lgpl-3.0.txt


def load_build():
    spec = importlib.util.spec_from_file_location('spice_build', str(TOOLS / 'build.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = load_build()


def meta():
    return build.pinned((TOOLS / 'debian.json').read_text(encoding='utf-8'),
                        (TOOLS / 'package-lock.json').read_text(encoding='utf-8'))


def licences():
    return {dest: (ROOT / dest).read_bytes() for _source, dest in build.LICENCE_FILES}


def test_the_script_is_intact_inlinable_and_keeps_the_notices():
    script = _spice.script()
    assert len(script) == _spice.SCRIPT_SIZE
    assert hashlib.sha256(script.encode('ascii')).hexdigest() == _spice.SCRIPT_SHA256
    build.check_script(script)  # no </script, <!-- or <script; sets window.ZStackSpice
    assert script.startswith('/*! spice-html5 0.3.0 SPICE client (Debian spice-html5 0.3.0-2')
    head = script[:script.index('(()=>{')]
    # The notices the minifier drops, from the bundled files, verbatim: jsbn asks for an intact copy.
    for words in ('Copyright (c) 2003-2005  Tom Wu', 'All redistributions must retain an intact copy',
                  'Copyright (c) 1998 - 2009, Paul Johnston', 'Copyright 1990,91 by Thomas Roell',
                  'Copyright (c) 1994-2003 by The XFree86 Project'):
        assert words in head, words
    assert 'This file is part of spice-html5.' not in head  # the LGPL header is named once, in the first line
    assert script.count('Copyright (c) 2003-2005  Tom Wu') == 1  # four files, one notice


def test_the_module_names_package_versions_hash_and_licence():
    header = (ROOT / build.MODULE).read_text(encoding='utf-8').split('"""', 1)[0]
    pins = meta()
    assert (_spice.PACKAGE, _spice.VERSION, _spice.DEBIAN_VERSION, _spice.DEB_SHA256, _spice.LICENSE,
            _spice.ESBUILD_VERSION, _spice.GLOBAL_NAME) == (
        'spice-html5', '0.3.0', '0.3.0-2', pins['sha256'], 'LGPL-3.0-or-later', pins['esbuild'], 'ZStackSpice')
    for text in ('Debian spice-html5 0.3.0-2', pins['sha256'], pins['url'], 'LGPL-3.0-or-later',
                 'tools/spice/copyright.spice-html5', 'GENERATED'):
        assert text in header
    assert all(len(line) <= 120 for line in (ROOT / build.MODULE).read_text().split('\n'))


def test_the_pins_agree():
    assert json.loads((TOOLS / 'package.json').read_text(encoding='utf-8'))['devDependencies'] == {
        'esbuild': meta()['esbuild']}  # an exact version, the one tools/novnc builds with
    novnc = json.loads((ROOT / 'tools' / 'novnc' / 'package.json').read_text(encoding='utf-8'))['devDependencies']
    assert novnc['esbuild'] == meta()['esbuild']
    assert meta()['url'].endswith('/spice-html5_0.3.0-2_all.deb') and len(meta()['sha256']) == 64


def test_licence_texts_are_shipped():
    copyright_file = (TOOLS / 'copyright.spice-html5').read_text(encoding='utf-8')
    for words in ('License: LGPL-3', 'Tom Wu', 'Paul Johnston', 'Thomas Roell'):
        assert words in copyright_file
    lgpl = (TOOLS / 'licenses' / 'LICENSE.LGPL-3.0').read_bytes()
    assert hashlib.sha256(lgpl).hexdigest() == LGPL_SHA256
    assert 'GNU General Public License' in (ROOT / 'LICENSE').read_text(encoding='utf-8')  # what the LGPL builds on


def test_the_committed_module_is_what_the_build_writes_around_its_data():
    text = (ROOT / build.MODULE).read_text(encoding='utf-8')
    assert build.render_module(_spice.script(), meta(), _spice.DATA) == text


@pytest.fixture
def tree(tmp_path):
    """A copy of the generated files, for the check to compare against."""
    for relative in [str(build.MODULE)] + [dest for _source, dest in build.LICENCE_FILES]:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / relative, tmp_path / relative)
    return tmp_path


def test_check_passes_when_the_rebuild_is_the_same(tree):
    assert build.differences(tree, _spice.script(), meta(), licences()) == []


def test_check_passes_for_other_zlib_bytes_of_the_same_script(tree):
    script = _spice.script()
    recompressed = base64.b64encode(zlib.compress(script.encode('ascii'), 1)).decode('ascii')
    assert recompressed != _spice.DATA
    (tree / build.MODULE).write_text(build.render_module(script, meta(), recompressed), encoding='utf-8')
    assert build.differences(tree, script, meta(), licences()) == []


def test_check_names_a_script_header_or_licence_that_differs(tree):
    found = build.differences(tree, _spice.script().replace('ZStackSpice', 'Other'), meta(), licences())
    assert len(found) == 1 and 'its script is not what Debian spice-html5 0.3.0-2 bundles to' in found[0]
    path = tree / build.MODULE
    path.write_text(path.read_text(encoding='utf-8').replace("DEBIAN_VERSION = '0.3.0-2'", "DEBIAN_VERSION = '0'"))
    (tree / 'tools/spice/copyright.spice-html5').unlink()
    assert build.differences(tree, _spice.script(), meta(), licences()) == [
        '%s (its header or code differs from what the build writes)' % build.MODULE,
        'tools/spice/copyright.spice-html5 (missing)']


def test_a_pin_that_is_not_one_is_a_clear_error():
    with pytest.raises(build.BuildError, match='is not a pin'):
        build.pinned('{"package": "spice-html5"}', (TOOLS / 'package-lock.json').read_text(encoding='utf-8'))
    with pytest.raises(build.BuildError, match='lacks'):
        build.pinned((TOOLS / 'debian.json').read_text(encoding='utf-8'), json.dumps({'packages': {}}))


# ------------------------------------------------------------------ the .deb

def ar(members):
    """A Debian package's bytes: an ar archive of ``members`` ((name, bytes), in order)."""
    out = b'!<arch>\n'
    for name, data in members:
        out += ('%-16s%-12s%-6s%-6s%-8s%-10s`\n' % (name + '/', 0, 0, 0, 100644, len(data))).encode('ascii')
        out += data + (b'\n' if len(data) % 2 else b'')
    return out


def data_tar(files):
    """data.tar.xz with ``files`` ({path: bytes}; a path ending in '->' + target is a symlink)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode='w:xz') as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            if isinstance(content, str):
                info.type, info.linkname = tarfile.SYMTYPE, content
                archive.addfile(info)
            else:
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def deb(files):
    return ar([('debian-binary', b'2.0\n'), ('control.tar.xz', data_tar({'./control': b'Package: x\n'})),
               ('data.tar.xz', data_tar(files))])


GOOD = {
    './usr/share/spice-html5/main.js': b'export var x = 1;\n',
    './usr/share/spice-html5/thirdparty/jsbn.js': b'/* Copyright Tom Wu */\n',
    './usr/share/doc/spice-html5/copyright': b'Format: ...\n',
    './usr/share/doc/spice-html5/README': b'not wanted\n',
}


def test_unpack_takes_the_sources_and_the_copyright_file_only(tmp_path):
    files = dict(GOOD)
    files['./usr/share/spice-html5/../../../../evil.js'] = b'x'
    files['./usr/share/spice-html5/link.js'] = '/etc/passwd'
    found = build.unpack(deb(files), tmp_path / 'out')
    assert found == {'usr/share/doc/spice-html5/copyright': b'Format: ...\n'}
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob('*') if p.is_file()) == [
        'out/main.js', 'out/thirdparty/jsbn.js']


@pytest.mark.parametrize('data, words', [
    (b'not an archive', 'not an ar archive'),
    (ar([('debian-binary', b'2.0\n')]), 'no single data.tar'),
    (None, 'lacks usr/share/spice-html5/main.js'),
])
def test_unpack_refuses_what_is_not_the_package(tmp_path, data, words):
    if data is None:
        data = deb({'./usr/share/doc/spice-html5/copyright': b'x'})
    with pytest.raises(build.BuildError, match=words):
        build.unpack(data, tmp_path / 'out')


def test_fetch_checks_size_and_hash(tmp_path, monkeypatch):
    package = deb(GOOD)
    (tmp_path / 'p.deb').write_bytes(package)
    pin = dict(meta(), url=(tmp_path / 'p.deb').as_uri(), size=len(package),
               sha256=hashlib.sha256(package).hexdigest())
    assert build.fetch_deb(pin, tmp_path) == package
    with pytest.raises(build.BuildError, match='pins %d bytes, %s' % (len(package), '0' * 64)):
        build.fetch_deb(dict(pin, sha256='0' * 64), tmp_path)
    monkeypatch.setattr(build.shutil, 'which', lambda name: None)  # no apt-get to fall back on
    with pytest.raises(build.BuildError, match='cannot download Debian spice-html5 0.3.0-2: file:'):
        build.fetch_deb(dict(pin, url=(tmp_path / 'missing.deb').as_uri()), tmp_path)


def test_notices_are_the_copyrights_that_are_not_spice_html5s_own_header(tmp_path):
    (tmp_path / 'spice-html5').mkdir()
    own = '/*\n   Copyright (C) 2012 by Jeremy P. White\n   This file is part of spice-html5.\n*/\n'
    wu = '/*\n * Copyright (c) 2003-2005  Tom Wu\n */\n'
    (tmp_path / 'spice-html5' / 'a.js').write_text(own + wu + '/* no notice */\n', encoding='utf-8')
    (tmp_path / 'spice-html5' / 'b.js').write_text(wu, encoding='utf-8')
    (tmp_path / 'entry.js').write_text('// nothing\n', encoding='utf-8')
    metafile = {'inputs': {'entry.js': {}, 'spice-html5/b.js': {}, 'spice-html5/a.js': {}}}
    found = build.notices(tmp_path, metafile)
    assert found == [(['a.js', 'b.js'], wu[2:-3])]
    head = build.banner(meta(), found)
    assert head.splitlines()[1] == '/*! a.js, b.js: '
    assert head.endswith(' */\n') and head.count('/*!') == 2
