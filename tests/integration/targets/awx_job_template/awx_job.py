# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Do what AWX does before it runs a job, from the files the collection ships, so runme.sh can run the playbook
the same way.

  awx_job.py inject CREDENTIAL_TYPE INPUTS_JSON PRIVATE_DIR
      Check the credential type as AWX checks it when it is created, then render its injectors for a credential
      with these inputs as AWX does for a job (every env injector is set, empty when its fields are empty; unset
      booleans are False; file injectors are written under PRIVATE_DIR/env and named by tower.filename; templates
      run in Jinja2's immutable sandbox). Prints one `export NAME=value` line per variable.

  awx_job.py launch JOB_TEMPLATE ANSWERS_JSON PRIVATE_DIR
      Check the survey answers against the job template's survey (required questions, textarea lengths, defaults
      for unanswered questions), write them as PRIVATE_DIR/env/extravars (what ansible-runner passes as
      `-e @env/extravars`), and print the job template's playbook.

  awx_job.py consoles SIM_URL
      The simulator's live consoles, one `<vm uuid> <session uuid> <token file or ->` line each.

Written for this test from AWX's documented behaviour (awx_plugins.credentials.injectors.inject_credential and the
survey validation of the job template API); it is not AWX's code.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
import sys
import tempfile
import urllib.request

import yaml
from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

FIELD_TYPES = ('string', 'boolean')
FIELD_KEYS = {'id', 'label', 'type', 'help_text', 'multiline', 'secret', 'ask_at_runtime', 'choices', 'default',
              'format'}
ENV_NAME_RE = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')
# Variables AWX never lets a credential set (ENV_BLOCKLIST), and the prefix it reserves.
ENV_BLOCKLIST = {'VIRTUAL_ENV', 'PATH', 'PYTHONPATH', 'JOB_ID', 'INVENTORY_ID', 'INVENTORY_SOURCE_ID',
                 'INVENTORY_UPDATE_ID', 'AD_HOC_COMMAND_ID', 'REST_API_URL', 'REST_API_TOKEN', 'MAX_EVENT_RES',
                 'CALLBACK_QUEUE', 'CALLBACK_CONNECTION', 'CACHE', 'JOB_CALLBACK_DEBUG', 'INVENTORY_HOSTVARS',
                 'AWX_HOST', 'PROJECT_REVISION', 'SUPERVISOR_CONFIG_PATH'}
SURVEY_TYPES = ('text', 'textarea', 'password', 'integer', 'float', 'multiplechoice', 'multiselect')


def fail(msg):
    sys.exit('awx_job.py: %s' % msg)


def load_yaml(path):
    with open(path, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


# ------------------------------------------------------------------ credential types

def check_credential_type(cred_type):
    """What AWX rejects when a credential type is created, as far as this collection's type can run into it."""
    for key in ('name', 'kind', 'inputs', 'injectors'):
        if key not in cred_type:
            fail('credential type has no %r' % key)
    if cred_type['kind'] not in ('cloud', 'net'):
        fail('a custom credential type is of kind cloud or net, not %r' % cred_type['kind'])
    fields = cred_type['inputs'].get('fields', [])
    ids = []
    for field in fields:
        unknown = set(field) - FIELD_KEYS
        if unknown:
            fail('field %r: unknown keys %s' % (field.get('id'), sorted(unknown)))
        if not field.get('id') or not field.get('label'):
            fail('every field needs an id and a label: %r' % field)
        if field.get('type', 'string') not in FIELD_TYPES:
            fail('field %s: type %r' % (field['id'], field['type']))
        if field['id'] in ids:
            fail('field %s is defined twice' % field['id'])
        ids.append(field['id'])
        if field.get('type') == 'boolean' and (field.get('secret') or field.get('choices')):
            fail('field %s: a boolean cannot be secret or have choices' % field['id'])
        choices = field.get('choices')
        if choices is not None and not all(isinstance(choice, str) for choice in choices):
            fail('field %s: choices must be strings: %r' % (field['id'], choices))
        if 'default' in field:
            want = bool if field.get('type') == 'boolean' else str
            if not isinstance(field['default'], want):
                fail('field %s: default %r is not a %s' % (field['id'], field['default'], want.__name__))
            if choices and field['default'] not in choices:
                fail('field %s: default %r is not one of its choices' % (field['id'], field['default']))
    for required in cred_type['inputs'].get('required', []):
        if required not in ids:
            fail('required field %s is not defined' % required)

    injectors = cred_type['injectors']
    unknown = set(injectors) - {'file', 'env', 'extra_vars'}
    if unknown:
        fail('unknown injector kinds %s' % sorted(unknown))
    for label in injectors.get('file', {}):
        if label != 'template' and not re.match(r'^template\.[a-zA-Z_]+$', label):
            fail('file injector %r: use template or template.<name>' % label)
    for name in injectors.get('env', {}):
        if not ENV_NAME_RE.match(name) or name in ENV_BLOCKLIST or name.startswith('ANSIBLE_'):
            fail('env injector %s is not allowed' % name)
    # Every template may use only the fields and `tower`, else a typo silently renders as empty.
    sandbox = ImmutableSandboxedEnvironment()
    templates = list(injectors.get('file', {}).values()) + list(injectors.get('env', {}).values()) \
        + list(injectors.get('extra_vars', {}).values())
    for template in templates:
        unknown = meta.find_undeclared_variables(sandbox.parse(template)) - set(ids) - {'tower'}
        if unknown:
            fail('injector template %r uses undefined names %s' % (template, sorted(unknown)))
    return fields


def inject(cred_type_path, inputs_json, private_dir):
    cred_type = load_yaml(cred_type_path)
    fields = check_credential_type(cred_type)
    inputs = json.loads(inputs_json)
    by_id = {field['id']: field for field in fields}
    unknown = set(inputs) - set(by_id)
    if unknown:
        fail('inputs for fields the credential type does not have: %s' % sorted(unknown))
    missing = [name for name in cred_type['inputs'].get('required', []) if not inputs.get(name)]
    if missing:
        fail('AWX would not save this credential: required fields %s are empty' % missing)
    for name, value in inputs.items():
        choices = by_id[name].get('choices')
        if choices and value not in choices:
            fail('AWX would not save this credential: %s=%r is not one of %s' % (name, value, choices))

    class Tower:  # the `tower` namespace of the templates
        filename = None

    namespace = {'tower': Tower}
    for name, value in inputs.items():
        if isinstance(value, bool) or value:  # empty strings are left out, booleans never are
            namespace[name] = value
    for field in fields:
        if field.get('type') == 'boolean' and field['id'] not in inputs:
            namespace[field['id']] = False

    sandbox = ImmutableSandboxedEnvironment()
    env_dir = os.path.join(private_dir, 'env')
    os.makedirs(env_dir, exist_ok=True)
    files = {}
    for label, template in cred_type['injectors'].get('file', {}).items():
        handle, path = tempfile.mkstemp(dir=env_dir)
        with os.fdopen(handle, 'w', encoding='utf-8') as out:
            out.write(sandbox.from_string(template).render(**namespace))
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        files[label] = path
    if 'template' in files:
        Tower.filename = files['template']
    elif files:
        Tower.filename = type('Files', (), {label.split('.', 1)[1]: path for label, path in files.items()})

    for name, template in cred_type['injectors'].get('env', {}).items():
        print('export %s=%s' % (name, shlex.quote(sandbox.from_string(template).render(**namespace))))
    if cred_type['injectors'].get('extra_vars'):
        fail('this helper does not render extra_vars injectors; the zstack credential type has none')


# ------------------------------------------------------------------ job templates and surveys

def launch(job_template_path, answers_json, private_dir):
    job_template = load_yaml(job_template_path)
    for key in ('name', 'playbook', 'survey_enabled', 'survey_spec'):
        if key not in job_template:
            fail('job template has no %r' % key)
    if job_template.get('use_fact_cache'):
        fail('the job template must not cache facts: the consoles are facts, and hold tokens')
    answers = json.loads(answers_json)
    extra_vars = {}
    spec = job_template['survey_spec']
    for key in ('name', 'description', 'spec'):
        if key not in spec:
            fail('survey_spec has no %r' % key)
    asked = set()
    for question in spec['spec']:
        for key in ('question_name', 'variable', 'type', 'required'):
            if key not in question:
                fail('survey question %r has no %r' % (question.get('variable'), key))
        if question['type'] not in SURVEY_TYPES:
            fail('survey question %s: type %r' % (question['variable'], question['type']))
        variable = question['variable']
        asked.add(variable)
        if variable in answers:
            value = answers[variable]
        elif question.get('default') not in (None, ''):
            value = question['default']
        elif question['required']:
            fail('AWX would not launch: survey question %r is required' % question['question_name'])
        else:
            continue
        if question['type'] in ('text', 'textarea', 'password'):
            if not isinstance(value, str):
                fail('survey answer %s must be text' % variable)
            low, high = question.get('min'), question.get('max')
            if (low is not None and len(value) < low) or (high is not None and len(value) > high):
                fail('AWX would not launch: %s must be %s to %s characters' % (variable, low, high))
            if question['required'] and value == '':
                fail('AWX would not launch: survey question %r is required' % question['question_name'])
        extra_vars[variable] = value
    # Answers to questions the survey does not ask are dropped unless the template prompts for variables.
    if not job_template.get('ask_variables_on_launch'):
        ignored = set(answers) - asked
        if ignored:
            fail('AWX would ignore these answers (not in the survey): %s' % sorted(ignored))
    env_dir = os.path.join(private_dir, 'env')
    os.makedirs(env_dir, exist_ok=True)
    with open(os.path.join(env_dir, 'extravars'), 'w', encoding='utf-8') as out:
        yaml.safe_dump(extra_vars, out, default_flow_style=False)
    print(job_template['playbook'])


# ------------------------------------------------------------------ simulator

def consoles(sim_url):
    with urllib.request.urlopen(sim_url.rstrip('/') + '/_sim/state', timeout=10) as reply:
        state = json.load(reply)
    for console in state['consoles']:
        print(console['vm_uuid'], console['session'], console.get('token_file') or '-')


def main(argv):
    if len(argv) == 5 and argv[1] == 'inject':
        inject(*argv[2:])
    elif len(argv) == 5 and argv[1] == 'launch':
        launch(*argv[2:])
    elif len(argv) == 3 and argv[1] == 'consoles':
        consoles(argv[2])
    else:
        fail(__doc__)


if __name__ == '__main__':
    main(sys.argv)
