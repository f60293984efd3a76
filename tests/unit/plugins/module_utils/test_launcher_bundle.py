# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the bundled noVNC (_novnc.py) and of tools/novnc/build.py's check, without npm.

The rebuild itself (npm ci + esbuild, then the same comparison) is `python3 tools/novnc/build.py --check`, a
make stage of its own: it needs the npm registry. Here: the committed module is intact, says what it is, matches
the pinned lock file, and the comparison the check makes finds every kind of drift.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import shutil
import zlib
from pathlib import Path

import pytest

from ansible_collections.zstack.cloud.plugins.module_utils import _novnc

ROOT = Path(__file__).resolve().parents[4]
TOOLS = ROOT / 'tools' / 'novnc'


def load_build():
    spec = importlib.util.spec_from_file_location('novnc_build', str(TOOLS / 'build.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = load_build()


def meta():
    return build.pinned((TOOLS / 'package-lock.json').read_text(encoding='utf-8'))


def licences():
    return {dest: (ROOT / dest).read_bytes() for _source, dest in build.LICENCE_FILES}


def test_the_script_is_intact_and_inlinable():
    script = _novnc.script()
    assert len(script) == _novnc.SCRIPT_SIZE
    assert hashlib.sha256(script.encode('ascii')).hexdigest() == _novnc.SCRIPT_SHA256
    build.check_script(script)  # no </script, <!-- or <script; sets window.ZStackRFB
    assert script.startswith('/*! noVNC %s RFB client (npm @novnc/novnc' % _novnc.VERSION)
    assert 'Copyright (c) 1996 Widget Workshop' in script  # des.js's notice, kept intact as it asks


def test_the_module_names_package_version_integrity_and_licence():
    header = (ROOT / build.MODULE).read_text(encoding='utf-8').split('"""', 1)[0]
    pins = meta()
    assert (_novnc.PACKAGE, _novnc.VERSION, _novnc.INTEGRITY, _novnc.LICENSE, _novnc.ESBUILD_VERSION) == (
        '@novnc/novnc', pins['version'], pins['integrity'], 'MPL-2.0', pins['esbuild'])
    for text in ('@novnc/novnc 1.5.0', pins['integrity'], 'MPL-2.0', 'tools/novnc/LICENSE.noVNC.txt', 'GENERATED'):
        assert text in header
    assert all(len(line) <= 100 for line in (ROOT / build.MODULE).read_text().split('\n') if line.startswith("    '"))


def test_the_pins_agree():
    wanted = json.loads((TOOLS / 'package.json').read_text(encoding='utf-8'))['devDependencies']
    assert wanted == {'@novnc/novnc': '1.5.0', 'esbuild': meta()['esbuild']}  # exact versions, no ranges


def test_licence_texts_are_shipped():
    assert 'licensed under the MPL 2.0' in (TOOLS / 'LICENSE.noVNC.txt').read_text(encoding='utf-8')
    assert 'Mozilla Public License Version 2.0' in (TOOLS / 'licenses' / 'LICENSE.MPL-2.0').read_text()
    for name in ('LICENSE.BSD-2-Clause', 'LICENSE.BSD-3-Clause', 'LICENSE.OFL-1.1', 'LICENSE.pako',
                 'LICENSE.regenerator-runtime'):
        assert (TOOLS / 'licenses' / name).stat().st_size > 500, name


def test_the_committed_module_is_what_the_build_writes_around_its_data():
    text = (ROOT / build.MODULE).read_text(encoding='utf-8')
    assert build.render_module(_novnc.script(), meta(), _novnc.DATA) == text


@pytest.fixture
def tree(tmp_path):
    """A copy of the generated files, for the check to compare against."""
    for relative in [str(build.MODULE)] + [dest for _source, dest in build.LICENCE_FILES]:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / relative, tmp_path / relative)
    return tmp_path


def test_check_passes_when_the_rebuild_is_the_same(tree):
    assert build.differences(tree, _novnc.script(), meta(), licences()) == []


def test_check_passes_for_other_zlib_bytes_of_the_same_script(tree):
    """zlib-ng and zlib compress differently: the check compares the script, not the compressed bytes."""
    script = _novnc.script()
    recompressed = base64.b64encode(zlib.compress(script.encode('ascii'), 1)).decode('ascii')
    assert recompressed != _novnc.DATA
    (tree / build.MODULE).write_text(build.render_module(script, meta(), recompressed), encoding='utf-8')
    assert build.differences(tree, script, meta(), licences()) == []


def test_check_names_a_script_that_differs(tree):
    found = build.differences(tree, _novnc.script().replace('ZStackRFB', 'OtherRFB'), meta(), licences())
    assert len(found) == 1 and 'its script is not what @novnc/novnc 1.5.0 bundles to' in found[0]


def test_check_names_an_edited_header(tree):
    path = tree / build.MODULE
    path.write_text(path.read_text(encoding='utf-8').replace("LICENSE = 'MPL-2.0'", "LICENSE = 'MIT'"))
    found = build.differences(tree, _novnc.script(), meta(), licences())
    assert found == ['%s (its header or code differs from what the build writes)' % build.MODULE]


def test_check_names_a_missing_or_changed_licence(tree):
    (tree / 'tools/novnc/licenses/LICENSE.OFL-1.1').unlink()
    (tree / 'tools/novnc/LICENSE.noVNC.txt').write_text('changed')
    found = build.differences(tree, _novnc.script(), meta(), licences())
    assert found == ['tools/novnc/LICENSE.noVNC.txt (differs from the package)',
                     'tools/novnc/licenses/LICENSE.OFL-1.1 (missing)']


def test_check_names_a_damaged_module(tree):
    (tree / build.MODULE).write_text("DATA = 'not base64 zlib'\n")
    found = build.differences(tree, _novnc.script(), meta(), licences())
    assert len(found) == 1 and 'cannot be read' in found[0]


@pytest.mark.parametrize('bad', ['x</script>y', 'x<!--y', 'x<SCRIPT>y', 'window.Other=1'])
def test_a_script_that_cannot_be_inlined_is_refused(bad):
    with pytest.raises(build.BuildError):
        build.check_script(bad if 'window' in bad else bad + 'window.ZStackRFB=1')


def test_a_lock_file_without_the_package_is_a_clear_error():
    with pytest.raises(build.BuildError, match='lacks'):
        build.pinned(json.dumps({'packages': {}}))
