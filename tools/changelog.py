#!/usr/bin/env python
"""The changelog of the release in progress, produced by antsibull-changelog from changelogs/fragments/.

Usage: tools/changelog.py generate|check TREE [--date YYYY-MM-DD]

  generate   (make changelog) write changelogs/changelog.yaml and CHANGELOG.rst of this repository: the release
             named by galaxy.yml's version is produced afresh by `antsibull-changelog release` from the fragments
             in changelogs/fragments/ and the plugins' and roles' version_added, next to the releases before it.
             Run it again after adding a fragment: the release is replaced, never appended to.
  check      (make lint) fail unless changelogs/changelog.yaml and CHANGELOG.rst are exactly what `generate` writes
             (with the release date already recorded).

TREE is the collection tree of `make tree` (build/collections/ansible_collections/zstack/cloud): antsibull-changelog
runs in a copy of it, so the fragments there are consumed and the repository's stay (docs/releasing.md). The release
date is --date, else the one changelogs/changelog.yaml records for that version, else today (generate only).
antsibull-changelog and ansible-doc come from PATH (make puts .venv/bin first).
"""

from __future__ import annotations

import argparse
import datetime
import difflib
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUTPUTS = ('changelogs/changelog.yaml', 'CHANGELOG.rst')


def fail(message):
    sys.exit('changelog: FAILED: ' + message)


def read_yaml(path):
    with open(path, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def fragment_names(root):
    directory = os.path.join(root, 'changelogs', 'fragments')
    return sorted(name for name in os.listdir(directory) if name.endswith(('.yml', '.yaml')))


def release_date(releases, version, given, may_invent):
    if given:
        try:
            return datetime.date.fromisoformat(given).isoformat()
        except ValueError:
            fail('--date %s is not a date (YYYY-MM-DD)' % given)
    recorded = releases.get(version, {}).get('release_date')
    if recorded:
        return recorded
    if not may_invent:
        fail('changelogs/changelog.yaml has no release %s (galaxy.yml\'s version): run `make changelog`' % version)
    return datetime.date.today().isoformat()


def produce(tree, version, date, work):
    """Run antsibull-changelog in a copy of tree; return {output path: text}."""
    copy = os.path.join(work, 'ansible_collections', 'zstack', 'cloud')
    shutil.copytree(tree, copy, symlinks=True, ignore=shutil.ignore_patterns('.git', 'tests'))
    changes_path = os.path.join(copy, 'changelogs', 'changelog.yaml')
    changes = read_yaml(changes_path)
    changes.setdefault('releases', {}).pop(version, None)  # the release in progress is made afresh
    with open(changes_path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(changes, handle, default_flow_style=False, sort_keys=True)
    for stale in ('CHANGELOG.rst', 'changelogs/.plugin-cache.yaml'):
        if os.path.exists(os.path.join(copy, stale)):
            os.remove(os.path.join(copy, stale))
    if fragment_names(copy):
        command = ['antsibull-changelog', 'release', '--version', version, '--date', date]
    else:  # nothing new since the last release: render the releases there are
        command = ['antsibull-changelog', 'generate']
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=work, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='False', ANSIBLE_NOCOLOR='1')
    result = subprocess.run(command, cwd=copy, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            timeout=600, check=False)
    if result.returncode != 0:
        fail('%s exited %d:\n%s' % (' '.join(command), result.returncode, result.stdout))
    texts = {}
    for path in OUTPUTS:
        with open(os.path.join(copy, path), encoding='utf-8') as handle:
            texts[path] = handle.read()
    return texts


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('command', choices=['generate', 'check'])
    parser.add_argument('tree')
    parser.add_argument('--date')
    args = parser.parse_args(argv[1:])

    version = str(read_yaml(os.path.join(ROOT, 'galaxy.yml'))['version'])
    releases = read_yaml(os.path.join(ROOT, 'changelogs', 'changelog.yaml')).get('releases') or {}
    # A release whose fragments are all gone was published (docs/releasing.md removes them then): new fragments
    # belong to the next version, not to it.
    recorded = set(releases.get(version, {}).get('fragments') or [])
    present = fragment_names(ROOT)
    if recorded and present and not recorded & set(present):
        fail('release %s was published (none of its fragments is left in changelogs/fragments/): set galaxy.yml\'s '
             'version to the next release before producing its changelog' % version)
    date = release_date(releases, version, args.date, may_invent=args.command == 'generate')

    with tempfile.TemporaryDirectory(prefix='zstack-changelog-') as work:
        texts = produce(os.path.abspath(args.tree), version, date, work)

    if args.command == 'generate':
        for path, text in texts.items():
            with open(os.path.join(ROOT, path), 'w', encoding='utf-8') as handle:
                handle.write(text)
        print('changelog: release %s of %s, from %d fragment(s): %s' % (version, date, len(present), ', '.join(OUTPUTS)))
        return 0

    stale = []
    for path, text in texts.items():
        try:
            with open(os.path.join(ROOT, path), encoding='utf-8') as handle:
                current = handle.read()
        except FileNotFoundError:
            current = ''
        if current != text:
            stale.append(path)
            sys.stderr.writelines(list(difflib.unified_diff(current.splitlines(True), text.splitlines(True),
                                                            'committed/' + path, 'from-fragments/' + path))[:60])
    if stale:
        fail('%s differ from what the fragments produce: run `make changelog`' % ' and '.join(stale))
    print('changelog: %s are what antsibull-changelog produces from the %d fragment(s) (release %s, %s)'
          % (' and '.join(OUTPUTS), len(present), version, date))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
