# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run the shipped AWX job template's playbook the way AWX's task system runs a job: through ansible-runner.

  awx_job.py run --credential-type FILE --inputs JSON --job-template FILE --answers JSON --project DIR
                 --ee-collections DIR --job-dir DIR [--playbook PLAYBOOK]
      One job. Checks the credential type and the credential's inputs as AWX does when they are saved, and the survey
      answers as AWX does at launch; renders the credential's injectors (env, file, extra_vars) into the job's private
      data directory; writes the extra vars, command line, runner settings and inventory there as AWX's RunJob does;
      copies the project into it; runs the playbook with ansible_runner.interface.run, collecting the job output from
      the runner's events, as AWX shows it. Prints the job output (and writes it to JOB_DIR/job.out); exits 0 when the
      job succeeded, 1 when it failed, 3 when AWX would refuse the credential or the launch.
      --ee-collections stands in for the execution environment's /usr/share/ansible/collections.

      --inventory-json IMPORTED runs the job on an inventory imported by `inventory-update` (AWX's script of it)
      instead of the Demo Inventory.

  awx_job.py inventory-update --credential-type FILE --inputs JSON --inventory-source FILE --project DIR
                              --ee-collections DIR --job-dir DIR [--requirements-collections DIR]
      One inventory update of a source "sourced from a project" (source: scm), as AWX runs it: the credential checked
      and injected as for a job; `ansible-inventory --list --export -i <project>/<source_path> --output ...` run
      through ansible-runner with AWX's inventory-update environment; the output imported as AWX imports it. Prints
      the update's output and writes JOB_DIR/imported.json (the inventory as AWX then holds it, for `run
      --inventory-json`); exits 0 when the update succeeded, 1 when it failed, 3 when AWX would refuse it.

  awx_job.py launch JOB_TEMPLATE ANSWERS_JSON PRIVATE_DIR
      Only the launch: checks the survey answers as AWX does, writes the job's extra vars to PRIVATE_DIR/env/extravars
      as AWX does (what ansible-runner passes as -e @env/extravars), and prints the job template's playbook - for a
      test that runs the playbook with ansible-playbook itself.

  awx_job.py consoles SIM_URL
      The simulator's live consoles, one `<vm uuid> <session uuid> <token file or ->` line each.

  awx_job.py doc-block MARKDOWN FIRST_LINE
      The fenced code block of a Markdown file whose first line is FIRST_LINE, as the reader sees it (without the
      fences): the files of docs/awx.md's example project.

Where each part comes from (ansible/awx, read at the commit of October 2024; the functions cite the files):
  ported  CredentialType.inject_credential (awx/main/models/credential.py): the template namespace (empty inputs
          left out, missing booleans False), file injectors written 0600 under env/ and named by tower.filename, env
          injectors, extra_vars injectors written to a file passed with -e @file; rendering in Jinja2's
          ImmutableSandboxedEnvironment.
  ported  The checks of CredentialTypeInputField, CredentialTypeInjectorField and CredentialInputField
          (awx/main/fields.py) this collection's type can meet: field keys, ids, defaults, string-only keys, env names
          (ANSIBLE_* and ENV_BLOCKLIST of awx/main/constants.py), file injector names, every template rendered with
          StrictUndefined against the fields; choices, unknown inputs, empty inputs replaced by default_for_field.
  ported  Survey answers (SurveyJobTemplateMixin, awx/main/models/mixins.py): required questions, text lengths,
          defaults kept only when they pass validation; answers to questions not asked are dropped unless the job
          template prompts for variables (awx/main/models/jobs.py).
  ported  RunJob (awx/main/tasks/jobs.py): private data directory with env/ and inventory/, env/extravars with every
          string marked !unsafe (safe_dump, awx/main/utils/safe_yaml.py), env/cmdline (-u root), env/settings
          (suppress_ansible_output, suppress_output_file, job_timeout), the environment (AWX's ANSIBLE_* defaults of
          awx/settings/defaults.py, JOB_ID, INVENTORY_ID, collections and roles paths with requirements_collections
          first), the inventory as an executable script (the Demo Inventory: localhost, local connection, the
          playbook's Python), no fact cache, ansible_runner.interface.run with an event handler.
  ported  RunInventoryUpdate (awx/main/tasks/jobs.py) for source "scm": STANDARD_INVENTORY_UPDATE_ENV
          (awx/main/constants.py), source_vars as environment variables (but INV_ENV_VARIABLE_BLOCKED,
          awx/settings/defaults.py), the collections path with the project's requirements_collections first, the
          credential's injectors (build_credentials_list: every credential of a scm source), the command line of
          build_args written to <private data dir>/args (which ansible-runner runs as it is, ansible_runner/config/runner.py
          prepare_command), no inventory and no playbook for the runner.
  ported  The import (awx/main/utils/mem_inventory.py dict_to_mem_data: groups, their hosts, children and vars,
          _meta.hostvars; all and ungrouped are the inventory itself) and the job's inventory script of it
          (Inventory.get_script_data with hostvars and towervars, awx/main/models/inventory.py: ungrouped hosts
          under all, every group a child of all, remote_tower_* host variables).
  not AWX No container: the job runs on this machine's Python, not in an execution environment image, so file paths
          are host paths, not /runner/...; no receptor; no database, API or UI; the project is copied, not synced
          (a project update's collection install is runme.sh's, with AWX's command); an imported host name with
          one ':' is not split into a host and a port as AWX's MemInventory.get_host does.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import urllib.request

import ansible_runner
import yaml
from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

# awx/main/fields.py CredentialTypeInputField: the keys a field may have.
FIELD_KEYS = {'type', 'format', 'choices', 'id', 'label', 'help_text', 'multiline', 'secret', 'ask_at_runtime',
              'default'}
NAME_RE = re.compile(r'^[a-zA-Z_]+[a-zA-Z0-9_]*$')
FILE_INJECTOR_RE = re.compile(r'^template(\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$')
# awx/main/constants.py
ENV_BLOCKLIST = frozenset(('VIRTUAL_ENV', 'PATH', 'PYTHONPATH', 'JOB_ID', 'INVENTORY_ID', 'INVENTORY_SOURCE_ID',
                           'INVENTORY_UPDATE_ID', 'AD_HOC_COMMAND_ID', 'REST_API_URL', 'REST_API_TOKEN',
                           'MAX_EVENT_RES', 'CALLBACK_QUEUE', 'CALLBACK_CONNECTION', 'CACHE', 'JOB_CALLBACK_DEBUG',
                           'INVENTORY_HOSTVARS', 'AWX_HOST', 'PROJECT_REVISION', 'SUPERVISOR_CONFIG_PATH'))
JOB_VARIABLE_PREFIXES = ('awx', 'tower')
# awx/settings/defaults.py: the ANSIBLE_* settings every job's environment gets.
AWX_ANSIBLE_SETTINGS = {'ANSIBLE_HOST_KEY_CHECKING': 'False', 'ANSIBLE_PARAMIKO_RECORD_HOST_KEYS': 'False',
                        'ANSIBLE_FORCE_COLOR': 'True', 'ANSIBLE_INVENTORY_UNPARSED_FAILED': 'True'}
ANSI_RE = re.compile(r'\x1b\[[0-9;]*m')
JOB_ID = 42
INVENTORY_UPDATE_ID = 43
# awx/main/constants.py
STANDARD_INVENTORY_UPDATE_ENV = {'ANSIBLE_INVENTORY_UNPARSED_FAILED': 'True', 'ANSIBLE_INVENTORY_EXPORT': 'True',
                                 'ANSIBLE_VERBOSE_TO_STDERR': 'True', 'ANSIBLE_HOST_PATTERN_MISMATCH': 'error'}
# awx/settings/defaults.py: source_vars that never become environment variables of an inventory update.
INV_ENV_VARIABLE_BLOCKED = ('HOME', 'USER', '_', 'TERM', 'PATH')


class Refused(Exception):
    """What AWX would refuse to save or to launch."""


def load_yaml(path):
    with open(path, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


# ------------------------------------------------------------------ credential types and credentials

def check_credential_type(cred_type):
    """CredentialTypeInputField and CredentialTypeInjectorField.validate (awx/main/fields.py)."""
    for key in ('name', 'kind', 'inputs', 'injectors'):
        if key not in cred_type:
            raise Refused('credential type has no %r' % key)
    if cred_type['kind'] not in ('cloud', 'net'):
        raise Refused('a custom credential type is of kind cloud or net, not %r' % cred_type['kind'])
    inputs = cred_type['inputs']
    if set(inputs) - {'fields', 'required'} or 'dependencies' in inputs:
        raise Refused('inputs has keys other than fields and required: %s' % sorted(inputs))
    ids = []
    for field in inputs.get('fields', []):
        unknown = set(field) - FIELD_KEYS
        if unknown or 'id' not in field or 'label' not in field:
            raise Refused('field %r: unknown keys %s, or no id or label' % (field.get('id'), sorted(unknown)))
        if not NAME_RE.match(field['id']) or field['id'] == 'tower' or field['id'] in ids:
            raise Refused('field id %r is invalid, reserved or not unique' % field['id'])
        ids.append(field['id'])
        field_type = field.setdefault('type', 'string')
        if field_type not in ('string', 'boolean'):
            raise Refused('field %s: type %r' % (field['id'], field_type))
        if 'default' in field and not isinstance(field['default'], {'string': str, 'boolean': bool}[field_type]):
            raise Refused('field %s: %r is not a %s' % (field['id'], field['default'], field_type))
        for key in ('choices', 'multiline', 'format', 'secret'):
            if key in field and field_type != 'string':
                raise Refused('field %s: %s not allowed for %s type' % (field['id'], key, field_type))
        choices = field.get('choices')
        if choices is not None and (not choices or len(set(choices)) != len(choices)
                                    or not all(isinstance(c, str) for c in choices)):
            raise Refused('field %s: choices must be unique strings' % field['id'])

    injectors = cred_type['injectors']
    if set(injectors) - {'file', 'env', 'extra_vars'}:
        raise Refused('unknown injector kinds %s' % sorted(set(injectors) - {'file', 'env', 'extra_vars'}))
    files = list(injectors.get('file', {}))
    if not all(FILE_INJECTOR_RE.match(name) for name in files):
        raise Refused('file injectors are named template or template.<name>: %s' % files)
    if 'template' in files and len(files) > 1:
        raise Refused('Must use multi-file syntax when injecting multiple files')
    for name, value in injectors.get('env', {}).items():
        if not NAME_RE.match(name) or not isinstance(value, str) or not value.isascii():
            raise Refused('env injector %s: invalid name or value' % name)
        if name.startswith('ANSIBLE_') or name in ENV_BLOCKLIST:
            raise Refused('Environment variable %s is not allowed to be used in credentials.' % name)

    # Every template renders, strictly, with every field set and tower.filename set when a file is injected.
    namespace = {field_id: 'EXAMPLE' for field_id in ids}
    tower = type('TowerNamespace', (), {})()
    if files == ['template']:
        tower.filename = 'EXAMPLE_FILENAME'
    elif files:
        tower.filename = type('Files', (), {name.split('.', 1)[1]: 'EXAMPLE_FILENAME' for name in files})()
    namespace['tower'] = tower
    sandbox = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    for kind, template in _templates(injectors):
        try:
            sandbox.from_string(template).render(namespace)
        except (UndefinedError, SecurityError, TemplateSyntaxError) as exc:
            raise Refused('%s injector %r: %s' % (kind, template, exc)) from exc
    return inputs.get('fields', [])


def _templates(injectors):
    for kind in ('file', 'env'):
        for template in injectors.get(kind, {}).values():
            yield kind, template

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                yield key
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)
        else:
            yield node
    for template in walk(injectors.get('extra_vars', {})):
        yield 'extra_vars', template


def check_inputs(cred_type, fields, inputs):
    """CredentialInputField.validate (awx/main/fields.py) and the required fields: the credential as AWX saves it."""
    by_id = {field['id']: field for field in fields}
    unknown = set(inputs) - set(by_id)
    if unknown:
        raise Refused('Additional properties are not allowed: %s' % sorted(unknown))
    saved = dict(inputs)
    for name, value in inputs.items():
        if not value:  # empty inputs get CredentialType.default_for_field: the first choice, or ''
            field = by_id[name]
            saved[name] = field['choices'][0] if 'choices' in field else {'string': '', 'boolean': False}[field['type']]
        choices = by_id[name].get('choices')
        if choices and saved[name] not in choices:
            raise Refused('%s: %r is not one of %s' % (name, saved[name], choices))
    missing = [name for name in cred_type['inputs'].get('required', []) if saved.get(name) in (None, '')]
    if missing:
        raise Refused('required fields %s are empty' % missing)
    return saved


def inject_credential(cred_type, fields, inputs, private_data_dir, env, args):
    """CredentialType.inject_credential (awx/main/models/credential.py), for a custom credential type."""
    tower = type('TowerNamespace', (), {})()
    namespace = {'tower': tower}
    for name, value in inputs.items():  # secret inputs too: AWX decrypts them for the job
        if isinstance(value, bool) or len(value):  # an empty string is left out: `{{ field }}` is then undefined
            namespace[name] = value
    for field in fields:
        if field['type'] == 'boolean' and field['id'] not in inputs:
            namespace[field['id']] = False

    sandbox = ImmutableSandboxedEnvironment()
    for label, template in cred_type['injectors'].get('file', {}).items():
        data = sandbox.from_string(template).render(**namespace)
        handle, path = tempfile.mkstemp(dir=os.path.join(private_data_dir, 'env'))
        with os.fdopen(handle, 'w', encoding='utf-8') as out:
            out.write(data)
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        if '.' not in label:
            tower.filename = path  # AWX: the path inside the execution environment, /runner/env/tmp...
        else:
            if not hasattr(tower, 'filename'):
                tower.filename = type('TowerNamespace', (), {})()
            setattr(tower.filename, label.split('.', 1)[1], path)

    for name, template in cred_type['injectors'].get('env', {}).items():
        env[name] = sandbox.from_string(template).render(**namespace)

    def build(node):
        if isinstance(node, dict):
            return {build(key): build(value) for key, value in node.items()}
        if isinstance(node, list):
            return [build(value) for value in node]
        return sandbox.from_string(node).render(**namespace)
    extra_vars = build(cred_type['injectors'].get('extra_vars', {}))
    if extra_vars:
        handle, path = tempfile.mkstemp(dir=os.path.join(private_data_dir, 'env'))
        with os.fdopen(handle, 'w', encoding='utf-8') as out:
            out.write(safe_dump(extra_vars))
        os.chmod(path, stat.S_IRUSR)
        args.extend(['-e', '@%s' % path])


# ------------------------------------------------------------------ job templates and surveys

def survey_element_errors(element, data):
    """SurveyJobTemplateMixin._survey_element_validation (awx/main/models/mixins.py), for text and number types."""
    variable = element['variable']
    if variable not in data:
        return ["'%s' value missing" % variable] if element['required'] else []
    value = data[variable]
    low, high = element.get('min'), element.get('max')
    low, high = (None if low in ('', None) else low), (None if high in ('', None) else high)
    if element['type'] in ('text', 'textarea', 'password'):
        if not isinstance(value, str):
            return ["Value %s for '%s' expected to be a string." % (value, variable)]
        measure, convert = len(value), int
    elif element['type'] == 'integer':
        if type(value) is not int:  # pylint: disable=unidiomatic-typecheck  # AWX's own test: True is no integer
            return ["Value %s for '%s' expected to be an integer." % (value, variable)]
        measure, convert = value, int
    elif element['type'] == 'float':
        if type(value) not in (float, int):  # pylint: disable=unidiomatic-typecheck
            return ["Value %s for '%s' expected to be a numeric type." % (value, variable)]
        measure, convert = value, float
    else:
        raise Refused('this test knows text and number survey questions, not %r' % element['type'])
    errors = []
    if low is not None and measure < convert(low):
        length = 'length is %s ' % measure if element['type'] in ('text', 'textarea', 'password') else ''
        errors.append("'%s' value %s is too small (%smust be at least %s)." % (variable, value, length, low))
    if high is not None and measure > convert(high):
        errors.append("'%s' value %s is too large (must be no more than %s)." % (variable, value, high))
    return errors


def launch_extra_vars(job_template, answers):
    """The job's extra vars for a launch from AWX's UI: its survey form starts with each question's default, so what
    it sends is the defaults overlaid with the answers typed. Then the launch-time checks (_accept_or_ignore_variables
    and survey_variable_validation of mixins.py; variables the template does not prompt for are refused here rather
    than dropped), and the job's extra vars: the survey defaults that validate, then the answers
    (_update_unified_job_kwargs)."""
    if job_template.get('use_fact_cache'):
        raise Refused('the job template must not cache facts: the consoles are facts, and hold tokens')
    spec = job_template['survey_spec'] if job_template.get('survey_enabled') else {'spec': []}
    answers = dict({element['variable']: element['default'] for element in spec['spec']
                    if element.get('default') is not None}, **answers)
    errors = ["'%s' missing from survey spec." % key for key in ('name', 'description') if key not in spec]
    asked = [element['variable'] for element in spec['spec']]
    if not job_template.get('ask_variables_on_launch'):
        ignored = sorted(set(answers) - set(asked))
        if ignored:
            raise Refused('variables not in the survey would be ignored: %s' % ignored)
    for element in spec['spec']:
        errors += survey_element_errors(element, answers)
    if errors:
        raise Refused('; '.join(errors))
    extra_vars = {}
    for element in spec['spec']:
        default = element.get('default')
        if default is not None and not survey_element_errors(element, {element['variable']: default}):
            extra_vars[element['variable']] = default
    extra_vars.update(answers)
    return extra_vars


def safe_dump(data):
    """awx/main/utils/safe_yaml.py safe_dump with no trusted values: every string (key or value) is !unsafe."""
    class Dumper(yaml.SafeDumper):  # pylint: disable=too-many-ancestors
        def represent_data(self, data):
            if isinstance(data, str):
                return self.represent_scalar('!unsafe', data)
            return super().represent_data(data)
    return ''.join(yaml.dump_all([{key: value}], None, Dumper=Dumper, default_flow_style=False)
                   for key, value in data.items())


# ------------------------------------------------------------------ the job

def write_private_file(private_data_dir, sub_dir, name, content, mode=stat.S_IRUSR | stat.S_IWUSR):
    path = os.path.join(private_data_dir, sub_dir, name)
    with open(path, 'w', encoding='utf-8') as out:
        out.write(content)
    os.chmod(path, mode)
    return path


def run_job(opts):
    cred_type = load_yaml(opts.credential_type)
    job_template = load_yaml(opts.job_template)
    fields = check_credential_type(cred_type)
    inputs = check_inputs(cred_type, fields, json.loads(opts.inputs))
    extra_vars = launch_extra_vars(job_template, json.loads(opts.answers))
    for name in JOB_VARIABLE_PREFIXES:
        extra_vars.update({'%s_job_id' % name: JOB_ID, '%s_job_launch_type' % name: 'manual',
                           '%s_job_template_name' % name: job_template['name']})

    # BaseTask.build_private_data_dir, build_project_dir (the project's checkout).
    private_data_dir = os.path.abspath(opts.job_dir)
    if os.path.exists(private_data_dir):
        shutil.rmtree(private_data_dir)
    os.makedirs(private_data_dir, mode=0o700)
    for sub_dir in ('inventory', 'env'):
        os.mkdir(os.path.join(private_data_dir, sub_dir))
    shutil.copytree(opts.project, os.path.join(private_data_dir, 'project'), symlinks=True,
                    ignore=shutil.ignore_patterns('.git'))
    if opts.requirements_collections:
        shutil.copytree(opts.requirements_collections, os.path.join(private_data_dir, 'requirements_collections'))

    write_private_file(private_data_dir, 'env', 'extravars', safe_dump(extra_vars))
    args = ['-u', 'root']  # RunJob.build_args, no machine credential
    # BaseTask.build_env + RunJob.build_env
    env = dict(AWX_ANSIBLE_SETTINGS)
    env.update({'AWX_PRIVATE_DATA_DIR': private_data_dir, 'JOB_ID': str(JOB_ID), 'INVENTORY_ID': '1',
                'PROJECT_REVISION': '', 'ANSIBLE_RETRY_FILES_ENABLED': 'False', 'MAX_EVENT_RES': '700000',
                'AWX_HOST': 'https://awx.example.com',
                'ANSIBLE_SSH_CONTROL_PATH_DIR': os.path.join(private_data_dir, 'cp')})
    os.mkdir(os.path.join(private_data_dir, 'cp'), 0o700)
    collections = os.pathsep.join([os.path.join(private_data_dir, 'requirements_collections'),
                                   os.path.abspath(opts.ee_collections)])
    env['ANSIBLE_COLLECTIONS_PATHS'] = env['ANSIBLE_COLLECTIONS_PATH'] = collections
    env['ANSIBLE_ROLES_PATH'] = os.path.join(private_data_dir, 'requirements_roles')
    inject_credential(cred_type, fields, inputs, private_data_dir, env, args)
    write_private_file(private_data_dir, 'env', 'cmdline', ansible_runner.utils.args2cmdline(*args))
    # RunJob.write_inventory_file writes an inventory as a script printing its JSON: the Demo Inventory, or one an
    # inventory update imported.
    if opts.inventory_json:
        with open(opts.inventory_json, encoding='utf-8') as handle:
            inventory = script_data(json.load(handle))
    else:
        inventory = {'all': {'hosts': ['localhost']},
                     '_meta': {'hostvars': {'localhost': {'ansible_connection': 'local',
                                                          'ansible_python_interpreter': '{{ ansible_playbook_python }}',
                                                          'remote_tower_enabled': 'true', 'remote_tower_id': 1}}}}
    inventory_path = write_private_file(private_data_dir, 'inventory', 'hosts',
                                        '#! /usr/bin/env python3\n# -*- coding: utf-8 -*-\nprint(%r)\n'
                                        % json.dumps(inventory), mode=0o700)
    runner, _output = run_in_runner(private_data_dir, opts.job_dir, env, ident=JOB_ID,
                                    playbook=opts.playbook or job_template['playbook'], inventory=inventory_path)
    print('awx_job.py: job %s, rc %s' % (runner.status, runner.rc))
    return 0 if runner.status == 'successful' else 1


def run_in_runner(private_data_dir, job_dir, env, **params):
    """BaseTask.run's call of ansible-runner (awx/main/tasks/jobs.py), its settings file and the job's output (from the
    runner's events, as AWX shows it): ``(runner, output)``; the output is printed and written to JOB_DIR/job.out."""
    write_private_file(private_data_dir, 'env', 'settings', json.dumps(
        {'job_timeout': 300, 'suppress_ansible_output': True, 'suppress_output_file': True}))

    # The job runs in an execution environment, which has none of this test's environment: only PATH and the like.
    for name in list(os.environ):
        if name.startswith(('ANSIBLE_', 'ZSTACK_', 'REQUESTS_', 'CURL_CA_BUNDLE', 'SSL_CERT_')):
            del os.environ[name]

    stdout = []

    def event_handler(event):
        if event.get('stdout'):
            stdout.append(ANSI_RE.sub('', event['stdout']))
        return False  # AWX keeps the events itself

    runner = ansible_runner.interface.run(
        private_data_dir=private_data_dir, passwords={'yes': 'yes', 'no': 'no', '': ''}, suppress_env_files=True,
        envvars=env, fact_cache_type='', event_handler=event_handler, quiet=True, **params)
    output = '\n'.join(stdout) + '\n'
    with open(os.path.join(job_dir, 'job.out'), 'w', encoding='utf-8') as out:
        out.write(output)
    sys.stdout.write(output)
    return runner, output


# ------------------------------------------------------------------ inventory updates and imported inventories

def run_inventory_update(opts):
    """RunInventoryUpdate (awx/main/tasks/jobs.py) of a source "sourced from a project", then the import."""
    cred_type = load_yaml(opts.credential_type)
    fields = check_credential_type(cred_type)
    inputs = check_inputs(cred_type, fields, json.loads(opts.inputs))
    source = load_yaml(opts.inventory_source)
    if source.get('source') != 'scm':
        raise Refused('this inventory source is not sourced from a project (source: scm): %r' % source.get('source'))
    source_path = source.get('source_path') or ''
    if not os.path.isfile(os.path.join(opts.project, source_path)):
        raise Refused('source_path %r is not a file of the project' % source_path)

    private_data_dir = os.path.abspath(opts.job_dir)
    if os.path.exists(private_data_dir):
        shutil.rmtree(private_data_dir)
    os.makedirs(private_data_dir, mode=0o700)
    for sub_dir in ('inventory', 'env', 'artifacts'):
        os.mkdir(os.path.join(private_data_dir, sub_dir))
    shutil.copytree(opts.project, os.path.join(private_data_dir, 'project'), symlinks=True,
                    ignore=shutil.ignore_patterns('.git'))
    if opts.requirements_collections:
        shutil.copytree(opts.requirements_collections, os.path.join(private_data_dir, 'requirements_collections'))

    # BaseTask.build_env + RunInventoryUpdate.build_env
    env = dict(AWX_ANSIBLE_SETTINGS)
    env.update({'AWX_PRIVATE_DATA_DIR': private_data_dir, 'INVENTORY_SOURCE_ID': '7',
                'INVENTORY_UPDATE_ID': str(INVENTORY_UPDATE_ID)})
    env.update(STANDARD_INVENTORY_UPDATE_ENV)
    for name, value in (source.get('source_vars') or {}).items():
        if str(name) not in env and str(name) not in INV_ENV_VARIABLE_BLOCKED:
            env[str(name)] = str(value)
    collections = [os.path.join(private_data_dir, 'requirements_collections'), os.path.abspath(opts.ee_collections)]
    env['ANSIBLE_COLLECTIONS_PATHS'] = env['ANSIBLE_COLLECTIONS_PATH'] = os.pathsep.join(collections)
    args = []
    inject_credential(cred_type, fields, inputs, private_data_dir, env, args)
    if args:
        raise Refused('an inventory update takes no extra_vars injector: %s' % args)

    # RunInventoryUpdate.build_args, written to <private data dir>/args (its write_args_file, no sub_dir).
    source_location = os.path.join(private_data_dir, 'project', source_path)
    output_path = os.path.join(private_data_dir, 'artifacts', str(INVENTORY_UPDATE_ID), 'output.json')
    command = ['ansible-inventory', '--list', '--export', '-i', source_location, '--output', output_path,
               '--playbook-dir', os.path.dirname(source_location)]
    write_private_file(private_data_dir, '', 'args', ' '.join(command))
    runner, _output = run_in_runner(private_data_dir, opts.job_dir, env, ident=INVENTORY_UPDATE_ID)
    print('awx_job.py: inventory update %s, rc %s' % (runner.status, runner.rc))
    if runner.status != 'successful':
        return 1
    with open(output_path, encoding='utf-8') as handle:
        imported = import_inventory(json.load(handle))
    with open(os.path.join(opts.job_dir, 'imported.json'), 'w', encoding='utf-8') as out:
        json.dump(imported, out)
    print('awx_job.py: imported %d hosts, %d groups' % (len(imported['hosts']), len(imported['groups'])))
    return 0


def import_inventory(data):
    """dict_to_mem_data (awx/main/utils/mem_inventory.py): ``{"hosts": {name: vars}, "groups": {name: {"hosts",
    "children", "vars"}}}``; all and ungrouped are the inventory itself, every host is one a group lists."""
    hostvars = data.pop('_meta', {}).get('hostvars', {})
    hosts, groups = {}, {}

    def group_of(name):
        return groups.setdefault(name, {'hosts': [], 'children': [], 'vars': {}})

    for name, value in data.items():
        value = {'hosts': value} if isinstance(value, list) else value
        group = None if name in ('all', 'ungrouped') else group_of(name)
        children = [child for child in value.get('children', []) if child not in ('all', 'ungrouped')]
        for child in children:
            group_of(child)
        for host in value.get('hosts', []):
            hosts[host] = dict(hostvars.get(host, {}))
            if group is not None and host not in group['hosts']:
                group['hosts'].append(host)
        if group is not None:
            group['vars'].update(value.get('vars', {}))
            group['children'].extend(children)
    return {'hosts': hosts, 'groups': groups}


def script_data(imported):
    """Inventory.get_script_data(hostvars=True, towervars=True) (awx/main/models/inventory.py) of an import."""
    grouped = {host for group in imported['groups'].values() for host in group['hosts']}
    data = {'all': {'hosts': sorted(host for host in imported['hosts'] if host not in grouped)}}
    for name, group in imported['groups'].items():
        info = {key: group[key] for key in ('hosts', 'children', 'vars') if group[key]}
        if info:
            data[name] = info
    if imported['groups']:
        data['all']['children'] = list(imported['groups'])
    data['_meta'] = {'hostvars': {}}
    for number, (name, variables) in enumerate(sorted(imported['hosts'].items()), 1):
        data['_meta']['hostvars'][name] = dict(variables, remote_tower_enabled='true', remote_tower_id=number,
                                               remote_host_enabled='true', remote_host_id=number)
    return data


def launch(job_template_path, answers_json, private_data_dir):
    job_template = load_yaml(job_template_path)
    extra_vars = launch_extra_vars(job_template, json.loads(answers_json))
    os.makedirs(os.path.join(private_data_dir, 'env'), exist_ok=True)
    write_private_file(private_data_dir, 'env', 'extravars', safe_dump(extra_vars))
    print(job_template['playbook'])


def consoles(sim_url):
    with urllib.request.urlopen(sim_url.rstrip('/') + '/_sim/state', timeout=10) as reply:
        state = json.load(reply)
    for console in state['consoles']:
        print(console['vm_uuid'], console['session'], console.get('token_file') or '-')


def doc_block(path, first_line):
    with open(path, encoding='utf-8') as handle:
        lines = handle.read().splitlines()
    for number, line in enumerate(lines):
        if line.startswith('```') and number + 1 < len(lines) and lines[number + 1].startswith(first_line):
            end = lines.index('```', number + 1)
            return '\n'.join(lines[number + 1:end]) + '\n'
    raise SystemExit('awx_job.py: %s has no code block starting with %r' % (path, first_line))


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    commands = parser.add_subparsers(dest='command', required=True)
    run = commands.add_parser('run')
    for option in ('--credential-type', '--inputs', '--job-template', '--answers', '--project', '--ee-collections',
                   '--job-dir'):
        run.add_argument(option, required=True)
    run.add_argument('--playbook')
    run.add_argument('--requirements-collections', help='what a project update installed')
    run.add_argument('--inventory-json', help="an inventory update's imported.json: the job's inventory")
    update = commands.add_parser('inventory-update')
    for option in ('--credential-type', '--inputs', '--inventory-source', '--project', '--ee-collections',
                   '--job-dir'):
        update.add_argument(option, required=True)
    update.add_argument('--requirements-collections', help='what a project update installed')
    sim = commands.add_parser('consoles')
    sim.add_argument('sim_url')
    launcher = commands.add_parser('launch')
    for name in ('job_template', 'answers', 'private_data_dir'):
        launcher.add_argument(name)
    block = commands.add_parser('doc-block')
    block.add_argument('markdown')
    block.add_argument('first_line')
    opts = parser.parse_args(argv[1:])
    if opts.command == 'consoles':
        consoles(opts.sim_url)
        return 0
    if opts.command == 'doc-block':
        sys.stdout.write(doc_block(opts.markdown, opts.first_line))
        return 0
    try:
        if opts.command == 'launch':
            launch(opts.job_template, opts.answers, opts.private_data_dir)
            return 0
        if opts.command == 'inventory-update':
            return run_inventory_update(opts)
        return run_job(opts)
    except Refused as exc:
        print('awx_job.py: AWX would refuse this: %s' % exc, file=sys.stderr)
        return 3


if __name__ == '__main__':
    sys.exit(main(sys.argv))
