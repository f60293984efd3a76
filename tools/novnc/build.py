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

esbuild's output is a function of its version and its input, so a rebuild gives the same script. zlib's output
is not the same everywhere (zlib-ng gives other bytes), so --check compares the decoded script, and the module's
text around the committed data.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
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
LINE = 94  # base64 characters per line of the module: 4 spaces + quotes + 94 = 100
TIMEOUT = 600


class BuildError(Exception):
    """A step failed; the message is one line for the person running the build."""


def pinned(lock):
    """{'version', 'integrity'} of the package and the esbuild version, from package-lock.json's text."""
    packages = json.loads(lock)['packages']
    try:
        novnc = packages['node_modules/' + PACKAGE]
        esbuild = packages['node_modules/esbuild']
        return {'version': novnc['version'], 'integrity': novnc['integrity'], 'license': novnc['license'],
                'esbuild': esbuild['version']}
    except KeyError as exc:
        raise BuildError('tools/novnc/package-lock.json lacks %s: run `npm install --package-lock-only` in '
                         'tools/novnc' % exc) from None


def banner(meta, des_source):
    """The script's leading comment: what it is, its licences, and des.js's notice (kept intact)."""
    match = re.search(r'/\*(.*?)\*/', des_source, re.S)
    if not match or 'Copyright' not in match.group(1):
        raise BuildError('%s no longer starts with its copyright notice: check its licence by hand' % DES_SOURCE)
    notice = match.group(1).replace('*/', '* /')
    return ('/*! noVNC %(version)s RFB client (npm %(package)s, https://github.com/novnc/noVNC), %(license)s;'
            ' bundled by esbuild %(esbuild)s for the zstack.cloud collection, which ships the licence texts in'
            ' tools/novnc/. Bundled parts under other licences: pako (MIT), regenerator-runtime (MIT),'
            ' DES (notice below). */\n/*! %(des)s: %(notice)s*/\n'
            % dict(meta, package=PACKAGE, des=DES_SOURCE, notice=notice))


def run(argv, cwd):
    try:
        result = subprocess.run(argv, cwd=str(cwd), capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except FileNotFoundError:
        raise BuildError('%s not found: install Node.js and npm' % argv[0]) from None
    except subprocess.TimeoutExpired:
        raise BuildError('%s did not finish within %d s' % (' '.join(argv[:2]), TIMEOUT)) from None
    if result.returncode != 0:
        tail = ' '.join((result.stderr or result.stdout).split())[-600:]
        raise BuildError('%s failed (exit %d): %s' % (' '.join(argv[:2]), result.returncode, tail))
    return result


def build(workdir):
    """(script, metadata, {path: bytes} of licence files): npm ci + esbuild in ``workdir``."""
    for name in ('package.json', 'package-lock.json', 'entry.js'):
        shutil.copyfile(HERE / name, workdir / name)
    meta = pinned((HERE / 'package-lock.json').read_text(encoding='utf-8'))
    run(['npm', 'ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], workdir)
    package = workdir / 'node_modules' / PACKAGE
    installed = json.loads((package / 'package.json').read_text(encoding='utf-8'))['version']
    if installed != meta['version']:
        raise BuildError('npm ci installed %s %s, the lock file pins %s' % (PACKAGE, installed, meta['version']))
    head = banner(meta, (package / DES_SOURCE).read_text(encoding='utf-8'))
    (workdir / 'banner.js').write_text(head, encoding='utf-8')
    run([str(workdir / 'node_modules' / '.bin' / 'esbuild'), 'entry.js', '--bundle', '--format=iife', '--minify',
         '--charset=ascii', '--legal-comments=eof', '--target=es2020', '--log-level=warning',
         '--banner:js=' + head.rstrip('\n'), '--outfile=bundle.js'], workdir)
    script = (workdir / 'bundle.js').read_text(encoding='ascii')
    licences = {dest: (package / source).read_bytes() for source, dest in LICENCE_FILES}
    return script, meta, licences


def check_script(script):
    """The script must be safe inside an HTML <script> element and must define the global the launcher uses."""
    lowered = script.lower()
    for bad in ('</script', '<!--', '<script'):
        if bad in lowered:
            raise BuildError('the bundled script contains %r: it cannot be inlined into an HTML page' % bad)
    if 'window.%s=' % GLOBAL_NAME not in script:
        raise BuildError('the bundled script does not set window.%s' % GLOBAL_NAME)


def encode(script):
    return base64.b64encode(zlib.compress(script.encode('ascii'), 9)).decode('ascii')


def render_module(script, meta, data):
    """The text of _novnc.py for ``script`` whose compressed, base64-encoded form is ``data``."""
    lines = ["    '%s'" % data[i:i + LINE] for i in range(0, len(data), LINE)]
    values = dict(meta, package=PACKAGE, global_name=GLOBAL_NAME, size=len(script),
                  sha256=hashlib.sha256(script.encode('ascii')).hexdigest(), data='\n'.join(lines))
    return MODULE_TEMPLATE % values


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


def load_module(path):
    """The committed module, imported from ``path`` (it imports only the standard library)."""
    spec = importlib.util.spec_from_file_location('_novnc_committed', str(path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def differences(root, script, meta, licences):
    """The generated files under ``root`` that differ from this build, each with a short reason."""
    found = []
    module_path = root / MODULE
    try:
        committed = load_module(module_path)
        committed_script = zlib.decompress(base64.b64decode(committed.DATA)).decode('ascii')
    except Exception as exc:  # pylint: disable=broad-except  # any damage is a difference to report
        return ['%s (cannot be read: %s)' % (MODULE, ' '.join(str(exc).split())[:200])]
    if committed_script != script:
        found.append('%s (its script is not what %s %s bundles to: committed %d characters, sha256 %s...; rebuilt'
                     ' %d, %s...)' % (MODULE, PACKAGE, meta['version'], len(committed_script),
                                      hashlib.sha256(committed_script.encode()).hexdigest()[:12], len(script),
                                      hashlib.sha256(script.encode()).hexdigest()[:12]))
    elif module_path.read_text(encoding='utf-8') != render_module(script, meta, committed.DATA):
        found.append('%s (its header or code differs from what the build writes)' % MODULE)
    for dest, content in sorted(licences.items()):
        path = root / dest
        if not path.is_file() or path.read_bytes() != content:
            found.append('%s (%s)' % (dest, 'missing' if not path.exists() else 'differs from the package'))
    return found


def write(root, script, meta, licences):
    (root / MODULE).write_text(render_module(script, meta, encode(script)), encoding='utf-8')
    for dest, content in licences.items():
        (root / dest).parent.mkdir(parents=True, exist_ok=True)
        (root / dest).write_bytes(content)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--check', action='store_true', help='fail when the committed files differ from a rebuild')
    parser.add_argument('--root', type=Path, default=ROOT, help='the collection root (default: this repository)')
    args = parser.parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix='zstack-novnc-') as workdir:
            script, meta, licences = build(Path(workdir))
        check_script(script)
        if args.check:
            found = differences(args.root, script, meta, licences)
            if found:
                print('novnc bundle check: FAILED: the committed bundle is not what %s %s (pinned in'
                      ' tools/novnc/package-lock.json) builds to: %s. Run `python3 tools/novnc/build.py` and'
                      ' commit the result.' % (PACKAGE, meta['version'], '; '.join(found)), file=sys.stderr)
                return 1
            print('novnc bundle check: %s matches %s %s (%s) bundled by esbuild %s'
                  % (MODULE, PACKAGE, meta['version'], meta['integrity'], meta['esbuild']))
            return 0
        write(args.root, script, meta, licences)
        print('novnc bundle: wrote %s (%d characters of script) and %d licence files from %s %s'
              % (MODULE, len(script), len(licences), PACKAGE, meta['version']))
        return 0
    except BuildError as exc:
        print('novnc bundle: FAILED: %s' % exc, file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
