# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""tools/changelog.py (make changelog, and its check in make lint) on a copy of the collection.

The release in progress is produced afresh from the fragments each time: a fragment added after a `generate` makes
`check` fail until `generate` runs again, which then has both the old entries and the new one; the fragments stay.
A release whose fragments are all gone was published, and new fragments are refused for it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import yaml

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def collection(tmp_path):
    root = tmp_path / 'ansible_collections' / 'zstack' / 'cloud'
    shutil.copytree(COLLECTION_ROOT, root, ignore=shutil.ignore_patterns('output', '.git', '__pycache__'))
    return root


def changelog(root, command, *args):
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', ''))
    return subprocess.run([sys.executable, str(root / 'tools' / 'changelog.py'), command, str(root)] + list(args),
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=100,
                          check=False)


def release(root, version='1.0.0'):
    with open(root / 'changelogs' / 'changelog.yaml', encoding='utf-8') as handle:
        return yaml.safe_load(handle)['releases'][version]


def test_a_new_fragment_is_stale_until_generate_puts_it_into_the_release(collection):
    fragments = sorted(name for name in os.listdir(collection / 'changelogs' / 'fragments') if name.endswith('.yml'))
    assert changelog(collection, 'check').returncode == 0  # the committed files are current

    (collection / 'changelogs' / 'fragments' / 'zz-new.yml').write_text(
        '---\nbugfixes:\n  - zstack_session - a new entry.\n', encoding='utf-8')
    stale = changelog(collection, 'check')
    assert stale.returncode == 1, stale.stdout
    assert 'differ from what the fragments produce: run `make changelog`' in stale.stdout

    generated = changelog(collection, 'generate', '--date', '2026-12-24')
    assert generated.returncode == 0, generated.stdout
    entries = release(collection)
    assert 'zstack_session - a new entry.' in entries['changes']['bugfixes']
    assert sorted(entries['fragments']) == sorted(fragments + ['zz-new.yml'])  # the old entries are all there
    assert entries['release_date'] == '2026-12-24'
    assert 'zstack_session - a new entry.' in (collection / 'CHANGELOG.rst').read_text(encoding='utf-8')
    assert (collection / 'changelogs' / 'fragments' / 'zz-new.yml').exists()  # fragments stay
    assert changelog(collection, 'check').returncode == 0  # and the date recorded is the one checked


def test_fragments_for_a_published_release_are_refused(collection):
    for name in release(collection)['fragments']:
        os.remove(collection / 'changelogs' / 'fragments' / name)
    (collection / 'changelogs' / 'fragments' / 'later.yml').write_text(
        '---\nminor_changes:\n  - after the release.\n', encoding='utf-8')
    refused = changelog(collection, 'generate')
    assert refused.returncode == 1, refused.stdout
    assert ("release 1.0.0 was published (none of its fragments is left in changelogs/fragments/): set galaxy.yml's "
            "version to the next release") in refused.stdout
