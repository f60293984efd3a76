# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Build, or check, plugins/module_utils/_novnc.py: noVNC's RFB client as one script.

    python3 tools/novnc/build.py           rebuild from the pinned source; write the generated files
    python3 tools/novnc/build.py --check   rebuild; fail when a committed file differs from the rebuild

In a temporary directory: package.json, package-lock.json and entry.js from here; ``npm ci`` (exact versions
and integrity hashes from the lock file, install scripts off); ``esbuild --bundle --format=iife`` entry.js. The
script goes, zlib-compressed and base64-encoded, into a Python module: the module that writes launchers runs on
remote targets and can carry module_utils only. The licence texts are copied from the same package.

The steps all bundles share (npm ci, esbuild, the module's data, the comparison) are in tools/js_bundle.py.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))
import js_bundle  # noqa: E402  pylint: disable=wrong-import-position
from js_bundle import BuildError  # noqa: E402,F401  pylint: disable=wrong-import-position  # raised by build()

MODULE = Path('plugins/module_utils/_novnc.py')
PACKAGE = '@novnc/novnc'
GLOBAL_NAME = 'ZStackRFB'
# The parts of the package that are licence texts, and where they go (relative to ROOT).
LICENCE_FILES = (
    ('LICENSE.txt', 'tools/novnc/LICENSE.noVNC.txt'),
    ('docs/LICENSE.MPL-2.0', 'tools/novnc/licenses/LICENSE.MPL-2.0'),
    ('docs/LICENSE.BSD-2-Clause', 'tools/novnc/licenses/LICENSE.BSD-2-Clause'),
    ('docs/LICENSE.BSD-3-Clause', 'tools/novnc/licenses/LICENSE.BSD-3-Clause'),
    ('docs/LICENSE.OFL-1.1', 'tools/novnc/licenses/LICENSE.OFL-1.1'),
)
# lib/crypto/des.js asks that its copyright notice be "kept intact"; minifying drops comments, so the build
# puts that notice back into the script's banner, verbatim.
DES_SOURCE = 'lib/crypto/des.js'
LOCK = 'tools/novnc/package-lock.json'


def pinned(lock):
    """{'version', 'integrity', 'license', 'esbuild', 'source'} of the package, from package-lock.json's text."""
    novnc = js_bundle.locked(lock, PACKAGE, LOCK)
    return {'version': novnc['version'], 'integrity': novnc['integrity'], 'license': novnc['license'],
            'esbuild': js_bundle.locked(lock, 'esbuild', LOCK)['version'],
            'source': '%s %s' % (PACKAGE, novnc['version'])}


def banner(meta, des_source):
    """The script's leading comment: what it is, its licences, and des.js's notice (kept intact)."""
    match = re.search(r'/\*(.*?)\*/', des_source, re.S)
    if not match or 'Copyright' not in match.group(1):
        raise BuildError('%s no longer starts with its copyright notice: check its licence by hand' % DES_SOURCE)
    return ('/*! noVNC %(version)s RFB client (npm %(package)s, https://github.com/novnc/noVNC), %(license)s;'
            ' bundled by esbuild %(esbuild)s for the zstack.cloud collection, which ships the licence texts in'
            ' tools/novnc/. Bundled parts under other licences: pako (MIT), regenerator-runtime (MIT),'
            ' DES (notice below). */\n/*! %(des)s: %(notice)s*/\n'
            % dict(meta, package=PACKAGE, des=DES_SOURCE, notice=js_bundle.comment(match.group(1))))


def build(workdir):
    """(script, metadata, {path: bytes} of licence files): npm ci + esbuild in ``workdir``."""
    js_bundle.npm_ci(HERE, workdir, ('package.json', 'package-lock.json', 'entry.js'))
    meta = pinned((HERE / 'package-lock.json').read_text(encoding='utf-8'))
    package = workdir / 'node_modules' / PACKAGE
    installed = json.loads((package / 'package.json').read_text(encoding='utf-8'))['version']
    if installed != meta['version']:
        raise BuildError('npm ci installed %s %s, the lock file pins %s' % (PACKAGE, installed, meta['version']))
    head = banner(meta, (package / DES_SOURCE).read_text(encoding='utf-8'))
    script, _metafile = js_bundle.esbuild(workdir, 'entry.js', head)
    licences = {dest: (package / source).read_bytes() for source, dest in LICENCE_FILES}
    return script, meta, licences


def check_script(script):
    """The script must be safe inside an HTML <script> element and must define window.ZStackRFB."""
    js_bundle.check_script(script, GLOBAL_NAME)


def render_module(script, meta, data):
    """The text of _novnc.py for ``script`` whose compressed, base64-encoded form is ``data``."""
    return MODULE_TEMPLATE % dict(meta, package=PACKAGE, global_name=GLOBAL_NAME, data=js_bundle.data_lines(data),
                                  **js_bundle.script_facts(script))


def differences(root, script, meta, licences):
    """The generated files under ``root`` that differ from this build, each with a short reason."""
    return js_bundle.differences(root, MODULE, script, lambda data: render_module(script, meta, data), licences,
                                 meta['source'])


MODULE_TEMPLATE = '''\
# -*- coding: utf-8 -*-
# GENERATED by tools/novnc/build.py - do not edit. Rebuild: python3 tools/novnc/build.py (--check to verify).
#
# noVNC's RFB client in one script that sets window.%(global_name)s, for the self-contained console launchers.
#   package:   npm %(package)s %(version)s (its CommonJS lib/), https://github.com/novnc/noVNC
#   integrity: %(integrity)s
#   bundler:   esbuild %(esbuild)s (--bundle --format=iife --minify), entry tools/novnc/entry.js
#   licence:   %(license)s (noVNC); bundled parts under MIT (pako, regenerator-runtime) and a BSD-style DES
#              notice. Texts: tools/novnc/LICENSE.noVNC.txt and tools/novnc/licenses/.
# The Python around the script: GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""noVNC's RFB client, bundled (see the header); ``script()`` gives its JavaScript source text."""

from __future__ import annotations

import base64
import hashlib
import zlib

PACKAGE = '%(package)s'
VERSION = '%(version)s'
INTEGRITY = '%(integrity)s'
LICENSE = '%(license)s'
ESBUILD_VERSION = '%(esbuild)s'
GLOBAL_NAME = '%(global_name)s'
SCRIPT_SIZE = %(size)d
SCRIPT_SHA256 = '%(sha256)s'

# zlib-compressed, base64-encoded.
DATA = (
%(data)s
)

_CACHE = []


def script():
    """The bundled script (ASCII text), checked against SCRIPT_SHA256."""
    if not _CACHE:
        text = zlib.decompress(base64.b64decode(DATA)).decode('ascii')
        if hashlib.sha256(text.encode('ascii')).hexdigest() != SCRIPT_SHA256:
            raise ValueError('the bundled noVNC script does not match its SHA-256: _novnc.py is damaged')
        _CACHE.append(text)
    return _CACHE[0]
'''


def main(argv=None):
    return js_bundle.cli(argv, __doc__, 'novnc', build, render_module, MODULE, GLOBAL_NAME, ROOT)


if __name__ == '__main__':
    sys.exit(main())
