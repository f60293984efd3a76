# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Build, or check, plugins/module_utils/_spice.py: the spice-html5 SPICE client as one script.

    python3 tools/spice/build.py           rebuild from the pinned source; write the generated files
    python3 tools/spice/build.py --check   rebuild; fail when a committed file differs from the rebuild

The source is Debian's spice-html5 package, pinned in debian.json (version, URL, size, SHA-256): npm has only
0.2.1 (`@spice-project/spice-html5`), whose sendCtrlAltDel and cursor shapes 0.3.0 fixed. In a temporary
directory: the .deb downloaded from its URL (or, where that fails, by `apt-get download`) and checked against the
pin; its /usr/share/spice-html5/ (ES modules) unpacked with Python's own ar and tar readers; package.json,
package-lock.json (esbuild only) and entry.js from here, ``npm ci``; ``esbuild --bundle --format=iife``
entry.js. The copyright notices of the bundled files that are not spice-html5's own LGPL header go into the
script's banner verbatim (minifying drops comments; Tom Wu's jsbn asks that its notice be kept intact).
Debian's copyright file is copied next to this script; the LGPL text is in licenses/.

The steps all bundles share (npm ci, esbuild, the module's data, the comparison) are in tools/js_bundle.py.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import urllib.request
from pathlib import Path, PurePosixPath

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))
import js_bundle  # noqa: E402  pylint: disable=wrong-import-position
from js_bundle import BuildError  # noqa: E402,F401  pylint: disable=wrong-import-position  # raised by build()

MODULE = Path('plugins/module_utils/_spice.py')
GLOBAL_NAME = 'ZStackSpice'
LOCK = 'tools/spice/package-lock.json'
SOURCE_DIR = 'usr/share/spice-html5/'
# The package's licence file, and where it goes (relative to ROOT).
LICENCE_FILES = (('usr/share/doc/spice-html5/copyright', 'tools/spice/copyright.spice-html5'),)
# spice-html5's own header, which every one of its files carries: the banner names the licence once instead.
OWN_HEADER = 'This file is part of spice-html5.'
DOWNLOAD_TIMEOUT = 120


def pinned(debian, lock):
    """What is built: debian.json's pin and the esbuild version of the lock file, from their texts."""
    try:
        pin = json.loads(debian)
        meta = {key: pin[key] for key in ('package', 'version', 'upstream_version', 'license', 'homepage', 'url',
                                          'size', 'sha256')}
    except (ValueError, KeyError) as exc:
        raise BuildError('tools/spice/debian.json is not a pin (package, version, upstream_version, license,'
                         ' homepage, url, size, sha256): %s' % exc) from None
    meta['esbuild'] = js_bundle.locked(lock, 'esbuild', LOCK)['version']
    meta['source'] = 'Debian %s %s' % (meta['package'], meta['version'])
    return meta


def fetch_deb(meta, workdir):
    """The pinned .deb's bytes: from its URL, else through apt-get download; checked against size and SHA-256."""
    tried = []
    try:
        with urllib.request.urlopen(meta['url'], timeout=DOWNLOAD_TIMEOUT) as response:  # nosec - pinned hash
            data = response.read(meta['size'] + 1)
    except OSError as exc:
        tried.append('%s: %s' % (meta['url'], exc))
        data = None
    if data is None and shutil.which('apt-get'):
        wanted = '%s=%s' % (meta['package'], meta['version'])
        try:
            js_bundle.run(['apt-get', 'download', wanted], workdir)
            data = next(workdir.glob('%s_*.deb' % meta['package'])).read_bytes()
        except (BuildError, StopIteration, subprocess.SubprocessError) as exc:
            tried.append('apt-get download %s: %s' % (wanted, exc))
    if data is None:
        raise BuildError('cannot download %s: %s' % (meta['source'], '; '.join(tried)))
    digest = hashlib.sha256(data).hexdigest()
    if len(data) != meta['size'] or digest != meta['sha256']:
        raise BuildError('the downloaded %s is %d bytes with SHA-256 %s; tools/spice/debian.json pins %d bytes, %s'
                         % (meta['source'], len(data), digest, meta['size'], meta['sha256']))
    return data


def ar_members(data):
    """{name: bytes} of a Debian package (an ar archive)."""
    if not data.startswith(b'!<arch>\n'):
        raise BuildError('the .deb is not an ar archive')
    members, offset = {}, 8
    while offset + 60 <= len(data):
        header = data[offset:offset + 60]
        name = header[:16].decode('ascii').strip().rstrip('/')
        size = int(header[48:58].decode('ascii'))
        members[name] = data[offset + 60:offset + 60 + size]
        offset += 60 + size + (size % 2)
    return members


def unpack(data, destination):
    """The package's files under usr/share/spice-html5/ into ``destination``; {path in the package: bytes} of its
    licence files."""
    members = ar_members(data)
    names = [name for name in members if name.startswith('data.tar')]
    if len(names) != 1:
        raise BuildError('the .deb has no single data.tar member: %s' % sorted(members))
    licences = {}
    with tarfile.open(fileobj=io.BytesIO(members[names[0]])) as archive:
        for info in archive:
            path = PurePosixPath(info.name.lstrip('./'))
            if not info.isfile() or '..' in path.parts:
                continue
            text = str(path)
            if text.startswith(SOURCE_DIR):
                target = destination.joinpath(*path.parts[len(PurePosixPath(SOURCE_DIR).parts):])
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.extractfile(info).read())
            elif text in dict(LICENCE_FILES):
                licences[text] = archive.extractfile(info).read()
    if not (destination / 'main.js').is_file() or len(licences) != len(LICENCE_FILES):
        raise BuildError('the .deb lacks %smain.js or its copyright file' % SOURCE_DIR)
    return licences


def notices(workdir, metafile):
    """[(files, notice)]: each distinct copyright comment of the bundled files but spice-html5's own header."""
    found = {}
    for name in sorted(metafile['inputs']):
        text = (workdir / name).read_text(encoding='utf-8')
        for match in re.finditer(r'/\*(.*?)\*/', text, re.S):
            body = match.group(1)
            if 'Copyright' in body and OWN_HEADER not in body:
                found.setdefault(body, []).append(name.split('spice-html5/', 1)[-1])
    return [(files, body) for body, files in found.items()]


def banner(meta, found):
    """The script's leading comment: what it is, its licence, and the other notices (kept intact)."""
    head = ('/*! spice-html5 %(upstream_version)s SPICE client (Debian %(package)s %(version)s, %(homepage)s),'
            ' %(license)s; bundled by esbuild %(esbuild)s for the zstack.cloud collection, which ships the licence'
            ' texts in tools/spice/. Bundled parts under other licences: notices below. */\n' % meta)
    return head + ''.join('/*! %s: %s*/\n' % (', '.join(files), js_bundle.comment(body)) for files, body in found)


def build(workdir):
    """(script, metadata, {path: bytes} of licence files): the .deb, npm ci + esbuild in ``workdir``."""
    meta = pinned((HERE / 'debian.json').read_text(encoding='utf-8'),
                  (HERE / 'package-lock.json').read_text(encoding='utf-8'))
    package_licences = unpack(fetch_deb(meta, workdir), workdir / 'spice-html5')
    js_bundle.npm_ci(HERE, workdir, ('package.json', 'package-lock.json', 'entry.js'))
    # The notices come from the bundled files, which only a first run of esbuild names; the second run is the build.
    _script, metafile = js_bundle.esbuild(workdir, 'entry.js', '')
    found = notices(workdir, metafile)
    if not any('Tom Wu' in body for _files, body in found):
        raise BuildError('no notice of Tom Wu (jsbn) among the bundled files: check the licences by hand')
    script, _metafile = js_bundle.esbuild(workdir, 'entry.js', banner(meta, found))
    licences = {dest: package_licences[source] for source, dest in LICENCE_FILES}
    return script, meta, licences


def check_script(script):
    """The script must be safe inside an HTML <script> element and must define window.ZStackSpice."""
    js_bundle.check_script(script, GLOBAL_NAME)


def render_module(script, meta, data):
    """The text of _spice.py for ``script`` whose compressed, base64-encoded form is ``data``."""
    facts = js_bundle.script_facts(script)
    return MODULE_TEMPLATE % dict(meta, global_name=GLOBAL_NAME, data=js_bundle.data_lines(data),
                                  size=facts['size'], sha256_script=facts['sha256'])


def differences(root, script, meta, licences):
    """The generated files under ``root`` that differ from this build, each with a short reason."""
    return js_bundle.differences(root, MODULE, script, lambda data: render_module(script, meta, data), licences,
                                 meta['source'])


MODULE_TEMPLATE = '''\
# -*- coding: utf-8 -*-
# GENERATED by tools/spice/build.py - do not edit. Rebuild: python3 tools/spice/build.py (--check to verify).
#
# The spice-html5 SPICE client in one script that sets window.%(global_name)s, for the self-contained console
# launchers.
#   package:   Debian %(package)s %(version)s (its /usr/share/spice-html5/)
#   upstream:  %(homepage)s
#   .deb:      %(url)s
#   sha256:    %(sha256)s
#   bundler:   esbuild %(esbuild)s (--bundle --format=iife --minify), entry tools/spice/entry.js
#   licence:   %(license)s (spice-html5); bundled parts under MIT-style (jsbn: Tom Wu), BSD-3-Clause (sha1) and
#              X11-style (atKeynames) notices, kept in the script. Texts: tools/spice/copyright.spice-html5 and
#              tools/spice/licenses/.
# The Python around the script: GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The spice-html5 SPICE client, bundled (see the header); ``script()`` gives its JavaScript source text."""

from __future__ import annotations

import base64
import hashlib
import zlib

PACKAGE = '%(package)s'
VERSION = '%(upstream_version)s'
DEBIAN_VERSION = '%(version)s'
DEB_SHA256 = '%(sha256)s'
LICENSE = '%(license)s'
ESBUILD_VERSION = '%(esbuild)s'
GLOBAL_NAME = '%(global_name)s'
SCRIPT_SIZE = %(size)d
SCRIPT_SHA256 = '%(sha256_script)s'

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
            raise ValueError('the bundled spice-html5 script does not match its SHA-256: _spice.py is damaged')
        _CACHE.append(text)
    return _CACHE[0]
'''


def main(argv=None):
    return js_bundle.cli(argv, __doc__, 'spice', build, render_module, MODULE, GLOBAL_NAME, ROOT)


if __name__ == '__main__':
    sys.exit(main())
