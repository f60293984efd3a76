# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""tools/check_docs.py: the README's content table and facts read as top-level variables, on made-up trees."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, 'tools', 'check_docs.py')

README = '''# x

| Content | What it does |
| --- | --- |
| `zstack.cloud.mod` | module |
| `zstack.cloud.inv` | inventory plugin |
| `zstack.cloud.role_a` | role |
| `zstack.cloud.filt` | filter |
| `zstack.cloud.play` | playbook |

```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.debug:
        msg: "{{ item }}"
      loop: "{{ ansible_facts.zstack_consoles }}"
```
'''


def tree(tmp_path, readme=README, playbook='- hosts: localhost\n'):
    for path, text in {'README.md': readme, 'plugins/modules/mod.py': '', 'plugins/modules/__init__.py': '',
                       'plugins/inventory/inv.py': '', 'plugins/inventory/__init__.py': '',
                       'roles/role_a/tasks/main.yml': '---\n', 'plugins/filter/filt.yml': '', 'plugins/filter/x.py': '',
                       'playbooks/play.yml': playbook, 'docs/guide.md': 'Prose about `zstack_consoles`.\n'}.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding='utf-8')
    return subprocess.run([sys.executable, SCRIPT, str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=60, check=False)


def test_a_complete_table_and_ansible_facts_pass(tmp_path):
    result = tree(tmp_path)
    assert result.returncode == 0, result.stderr
    assert 'modules: 1, inventory plugins: 1, roles: 1, filters: 1, playbooks: 1' in result.stdout


def test_content_missing_from_the_table_fails(tmp_path):
    result = tree(tmp_path, readme=README.replace('| `zstack.cloud.play` | playbook |\n', ''))
    assert result.returncode == 1
    assert 'the content table does not list the playbook `zstack.cloud.play`' in result.stderr
    result = tree(tmp_path, readme=README.replace('| `zstack.cloud.inv` | inventory plugin |\n', ''))
    assert result.returncode == 1
    assert 'the content table does not list the inventory plugin `zstack.cloud.inv`' in result.stderr
    # Named outside the table does not count.
    result = tree(tmp_path, readme=README.replace('| `zstack.cloud.play` | playbook |\n', '') + '`zstack.cloud.play`\n')
    assert result.returncode == 1


def test_content_the_collection_does_not_have_fails(tmp_path):
    result = tree(tmp_path, readme=README.replace('| `zstack.cloud.play` | playbook |\n',
                                                  '| `zstack.cloud.play` | playbook |\n| `zstack.cloud.gone` | filter |\n'))
    assert result.returncode == 1
    assert 'the content table lists `zstack.cloud.gone`, which the collection does not have' in result.stderr


@pytest.mark.parametrize('expression', [
    'loop: "{{ zstack_consoles }}"',
    'msg: "{{ zstack_console.hostname }}"',
    'when: zstack_consoles | length > 0',
    "that: zstack_console is defined",
    'msg: "{{zstack_consoles[0].port}}"',
])
def test_facts_as_top_level_variables_fail(tmp_path, expression):
    result = tree(tmp_path, playbook='- hosts: localhost\n  tasks:\n    - x:\n        %s\n' % expression)
    assert result.returncode == 1
    assert 'playbooks/play.yml:4: `zstack_console' in result.stderr
    result = tree(tmp_path, readme=README.replace('loop: "{{ ansible_facts.zstack_consoles }}"', expression))
    assert result.returncode == 1
    assert 'README.md:' in result.stderr


@pytest.mark.parametrize('expression', [
    'loop: "{{ ansible_facts.zstack_consoles }}"',
    'loop: "{{ result.ansible_facts[\'zstack_consoles\'] }}"',
    'loop: "{{ result.zstack_consoles }}"',
    'src: job_templates/zstack_console.yml',
    '# zstack_consoles in a comment',
    'x: 1  # then zstack_consoles in a comment',
])
def test_other_uses_pass(tmp_path, expression):
    result = tree(tmp_path, playbook='- hosts: localhost\n  tasks:\n    - x:\n        %s\n' % expression)
    assert result.returncode == 0, result.stderr
