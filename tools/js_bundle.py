# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The steps the bundled console clients share (tools/novnc/build.py, tools/spice/build.py).

Each client is one script, made by esbuild from pinned sources, stored zlib-compressed and base64-encoded in a
generated module under plugins/module_utils/ (the module that writes launchers runs on remote targets and can
carry module_utils only); its licence texts are copied next to its build script. A check rebuilds and compares:
esbuild's output is a function of its version and its input, but zlib's is not the same everywhere (zlib-ng gives
other bytes), so the check compares the decoded script, and the module's text around the committed data.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

LINE = 94  # base64 characters per line of a generated module: 4 spaces + quotes + 94 = 100
TIMEOUT = 600
NPM_CI = ['npm', 'ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error']
# esbuild's options for a script a file:// page with a strict CSP can run inline: a classic script (IIFE), ASCII.
ESBUILD_OPTIONS = ['--bundle', '--format=iife', '--minify', '--charset=ascii', '--legal-comments=eof',
                   '--target=es2020', '--log-level=warning']


class BuildError(Exception):
    """A step failed; the message is one line for the person running the build."""


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


def locked(lock, package, where):
    """The lock file's entry (version, integrity, licence...) for ``package``; ``where`` names the lock file."""
    try:
        return json.loads(lock)['packages']['node_modules/' + package]
    except KeyError:
        raise BuildError('%s lacks %r: run `npm install --package-lock-only` next to it' % (where, package)) from None


def npm_ci(source_dir, workdir, files):
    """Copy ``files`` (package.json, package-lock.json, ...) from ``source_dir`` and ``npm ci`` in ``workdir``."""
    for name in files:
        shutil.copyfile(source_dir / name, workdir / name)
    run(NPM_CI, workdir)


def esbuild(workdir, entry, head):
    """The bundle of ``entry`` (in ``workdir``) with the comment ``head`` first, and esbuild's metafile (a dict)."""
    run([str(workdir / 'node_modules' / '.bin' / 'esbuild'), entry] + ESBUILD_OPTIONS +
        ['--banner:js=' + head.rstrip('\n'), '--metafile=meta.json', '--outfile=bundle.js'], workdir)
    script = (workdir / 'bundle.js').read_text(encoding='ascii')
    return script, json.loads((workdir / 'meta.json').read_text(encoding='utf-8'))


def comment(text):
    """``text`` made safe inside a /* */ comment."""
    return text.replace('*/', '* /')


def check_script(script, global_name):
    """The script must be safe inside an HTML <script> element and must define the global the launcher uses."""
    lowered = script.lower()
    for bad in ('</script', '<!--', '<script'):
        if bad in lowered:
            raise BuildError('the bundled script contains %r: it cannot be inlined into an HTML page' % bad)
    if 'window.%s=' % global_name not in script:
        raise BuildError('the bundled script does not set window.%s' % global_name)


def encode(script):
    return base64.b64encode(zlib.compress(script.encode('ascii'), 9)).decode('ascii')


def data_lines(data):
    """``data`` as the lines of a parenthesised Python string, LINE characters each."""
    return '\n'.join("    '%s'" % data[i:i + LINE] for i in range(0, len(data), LINE))


def script_facts(script):
    """What a generated module says about its script: size and SHA-256."""
    return {'size': len(script), 'sha256': hashlib.sha256(script.encode('ascii')).hexdigest()}


def load_module(path):
    """A committed generated module, imported from ``path`` (it imports only the standard library)."""
    spec = importlib.util.spec_from_file_location('_bundle_committed', str(path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def differences(root, module, script, render, licences, source):
    """The generated files under ``root`` that differ from this build, each with a short reason.

    ``module`` is the generated module's path relative to ``root``, ``render(data)`` its text for this build's
    script compressed as ``data``, ``licences`` maps paths relative to ``root`` to their content, ``source`` names
    what was built (package and version), for the messages.
    """
    found = []
    module_path = root / module
    try:
        committed = load_module(module_path)
        committed_script = zlib.decompress(base64.b64decode(committed.DATA)).decode('ascii')
    except Exception as exc:  # pylint: disable=broad-except  # any damage is a difference to report
        return ['%s (cannot be read: %s)' % (module, ' '.join(str(exc).split())[:200])]
    if committed_script != script:
        found.append('%s (its script is not what %s bundles to: committed %d characters, sha256 %s...; rebuilt'
                     ' %d, %s...)' % (module, source, len(committed_script),
                                      hashlib.sha256(committed_script.encode()).hexdigest()[:12], len(script),
                                      hashlib.sha256(script.encode()).hexdigest()[:12]))
    elif module_path.read_text(encoding='utf-8') != render(committed.DATA):
        found.append('%s (its header or code differs from what the build writes)' % module)
    for dest, content in sorted(licences.items()):
        path = root / dest
        if not path.is_file() or path.read_bytes() != content:
            found.append('%s (%s)' % (dest, 'missing' if not path.exists() else 'differs from the package'))
    return found


def write(root, module, text, licences):
    (root / module).write_text(text, encoding='utf-8')
    for dest, content in licences.items():
        (root / dest).parent.mkdir(parents=True, exist_ok=True)
        (root / dest).write_bytes(content)


def cli(argv, doc, label, build, render_module, module, global_name, root):
    """The command line of a bundle's build.py: rebuild, then write the generated files or (--check) compare.

    ``build(workdir)`` gives ``(script, meta, licences)`` with ``meta['source']`` naming what was built;
    ``render_module(script, meta, data)`` the generated module's text. Returns the exit status.
    """
    parser = argparse.ArgumentParser(description=doc.split('\n\n', 1)[0])
    parser.add_argument('--check', action='store_true', help='fail when the committed files differ from a rebuild')
    parser.add_argument('--root', type=Path, default=root, help='the collection root (default: this repository)')
    args = parser.parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix='zstack-%s-' % label) as workdir:
            script, meta, licences = build(Path(workdir))
        check_script(script, global_name)
        if args.check:
            found = differences(args.root, module, script, lambda data: render_module(script, meta, data),
                                licences, meta['source'])
            if found:
                print('%s bundle check: FAILED: the committed bundle is not what %s builds to: %s. Run `python3'
                      ' tools/%s/build.py` and commit the result.' % (label, meta['source'], '; '.join(found), label),
                      file=sys.stderr)
                return 1
            print('%s bundle check: %s matches %s bundled by esbuild %s'
                  % (label, module, meta['source'], meta['esbuild']))
            return 0
        write(args.root, module, render_module(script, meta, encode(script)), licences)
        print('%s bundle: wrote %s (%d characters of script) and %d licence files from %s'
              % (label, module, len(script), len(licences), meta['source']))
        return 0
    except BuildError as exc:
        print('%s bundle: FAILED: %s' % (label, exc), file=sys.stderr)
        return 1
