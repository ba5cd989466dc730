import { describe, expect, it } from 'vitest';
import { cases } from './bad-input.cases.js';

/** The exact one-line error each broken input gets (multi-problem configs list one per line). */
const expected: Record<string, string> = {
  'broken YAML':
    '/project/mlops.yaml:3:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
  'duplicate key': '/project/mlops.yaml:14:1: YAML syntax error: Map keys must be unique',
  'a list instead of a mapping':
    '/project/mlops.yaml: expected a mapping of settings (name, train, score, data, models, …), found a list of 1',
  'wrong type': '/project/mlops.yaml:2:19: train.command: expected a string, found number 5',
  'unknown key with a hint':
    '/project/mlops.yaml:3:27: score.timout-minutes: unknown key "timout-minutes" (did you mean "timeout-minutes"?); allowed keys: command, timeout-minutes',
  'missing required section': '/project/mlops.yaml:1:1: train: is required (a mapping)',
  'enum value with a hint':
    '/project/mlops.yaml:9:29: data.columns.sales.type: expected one of "string", "integer", "number", "date", "boolean", found "integr" (did you mean "integer"?)',
  'matrix values not a list':
    '/project/mlops.yaml:13:12: models.matrix.group: expected a list, found "a"',
  'unknown backend':
    '/project/mlops.yaml:15:19: environments.dev.backend: expected one of "local", "azureml", found "azure"',
  'time column not a key':
    '/project/mlops.yaml:7:9: data.time: "day" must be one of data.keys (shop, week)',
  'template placeholder not in matrix':
    '/project/mlops.yaml:11:9: models.name: placeholder {grup} is not a matrix key (keys: group)\n/project/mlops.yaml:11:9: models.name: the name template does not use matrix key {group}, so model names would repeat; add {group}',
  'malformed gate':
    '/project/mlops.yaml:15:11: metrics.gates[0]: expected a gate such as "mape <= 0.45" or "mape < baseline", found "mape =< 0.4"',
  'override matches no model':
    '/project/mlops.yaml:15:13: models.overrides.tiny-c: "tiny-c" matches none of the 2 models; did you mean "tiny-a"?',
  'negative timeout':
    '/project/mlops.yaml:2:44: train.timeout-minutes: expected a number > 0, found number -1',
  'missing config file':
    "config file <project>/nope.yaml does not exist: create it (see the README's config reference) or set the 'config' input",
  'stage input not pr or main': 'input \'stage\' must be one of pr, main, got "prod"',
  'parallel input not an integer':
    'input \'parallel\' must be an integer >= 1 and <= 256, got "two"',
  'boolean input misspelt': 'input \'fail-on-gates\' must be true or false, got "yes"',
  'models input matches nothing':
    'models: "tiny-c" matches none of the 2 models; did you mean "tiny-a"?',
  'no lint and no test commands':
    '<project>/mlops.yaml: nothing to run: add a lint command (lint: [{name, command}]) or a test command (test: {command}) to the config',
  'lint command not found':
    'Code validation failed: flake8 exited 127: /bin/sh: 1: nosuchlinter: not found',
  'a failing unit test': 'Code validation failed: 1 of 3 tests failed',
  'unreadable JUnit file':
    "JUnit report <project>/reports/junit.xml is not JUnit XML (the file ends before <testsuites>, <testsuite> are closed): check the test command's report option",
  'JUnit file never written':
    'JUnit report <project>/reports/nowhere.xml was not written: make the test command write it (e.g. pytest --junitxml=<project>/reports/nowhere.xml) or fix test.junit in mlops.yaml',
  'coverage below the minimum':
    'Code validation failed: line coverage 53.2 % is 45.8 points below the minimum 99.0 %',
  'train command exits 1': 'tiny-a train: train command exited 1: train: cannot converge',
  'train writes no model':
    'tiny-a train: the train command wrote no model files to <project>/.mlops/validate/pr/tiny-a/train/model: write them to $MLOPS_OUTPUT_DIR/model/',
  'model file with NaN':
    'tiny-a train: model/model.json is not valid JSON: it has 2 NaN/Infinity values (write null instead; json.dump(..., allow_nan=False) catches them)',
  'NaN predictions':
    'tiny-a score: 4 predictions are not finite numbers (line 2: "nan", line 3: "nan", line 4: "nan", …)',
  'missing predictions':
    'tiny-a score: 1 of 4 input rows has no prediction (shop=a0, week=2024-02-12)',
  'train exceeds its time limit':
    'tiny-a train: train command timed out after 0.02 min: (no output)',
  'sample violates the schema':
    'tiny-a data: 1 schema violation in data/sample.csv, first: column "sales": 1 value below min 0 (line 2: "-9")',
  'sample file missing':
    'data sample <project>/data/missing.csv does not exist: check the path in mlops.yaml',
  'matrix value with no rows':
    'tiny-c train: no rows of <project>/data/sample.csv match group=c: check the matrix values against the data',
  'package from an unknown stage': 'input \'from-stage\' must be one of pr, main, got "prod"',
  'package a lock file that does not exist':
    'requirements.lock (listed in mlops.yaml) does not exist in <project>: fix the path',
  'register with no package made':
    'no package in <project>/.mlops/artifacts: run package-artifacts first, or set the artifact input',
  'register a package that is not there':
    'package tiny-000000000000 is not in <project>/.mlops/artifacts: run package-artifacts first, or check the artifact input',
  'register with an unknown on-gate-miss':
    'input \'on-gate-miss\' must be one of fail, skip, got "warn"',
  'register into azureml without an OIDC token':
    'environment "prod" signs in with GitHub OIDC, but this job cannot get an ID token: add "permissions: id-token: write" to the job (or set auth: secret or auth: cli)',
  'register into azureml with no tenant':
    'environment "prod" has no tenant-id: set it in mlops.yaml, or set AZURE_TENANT_ID in the job\'s env',
  'azureml environment with a plain-http ARM endpoint':
    '<project>/mlops.yaml:43:129: environments.prod.arm-endpoint: expected an https:// URL, found "http://127.0.0.1:8080"',
  'train on azureml with no compute':
    'environment "prod" has no compute, which job "train tiny-a" needs: set environments.prod.compute in mlops.yaml',
  'train with no full data configured':
    'data.full is not set in <project>/mlops.yaml: set it to the CSV file of the full data to train on the platform',
  'train with the full-data file missing':
    'data.full <project>/data/full/sales.csv does not exist: generate or download the full data there, or fix data.full in mlops.yaml',
  'train on a full-data URI':
    'data.full is a URI (azureml://datastores/main/paths/sales.csv), but training splits the full data on the runner: set data.full to a local CSV file (download it in an earlier step)',
  'train with full data that is not CSV':
    'data.full <project>/data/full/sales.csv: line 2 has 2 fields, the header has 4',
  'train with a timeout that is not a number':
    'input \'timeout-minutes\' must be a number of minutes > 0 and <= 1440, got "soon"',
  'register training results that do not exist':
    'training results <project>/.mlops/training/local/results.json do not exist: run run-training with environment local first, or point training at its results.json',
  'register training results of another environment':
    'training results <project>/dev-results.json are for environment dev, not prod: register them in dev, or run run-training with environment prod',
  'register both a model folder and training results':
    'set model-dir or training, not both: model-dir registers one folder, training the models of a run-training run',
  'publish before anything is registered':
    'no model is registered in local: run register-model first',
  'publish with a misspelt trigger': 'input \'trigger\' must be true or false, got "yes"',
  'publish with a schedule that is not cron':
    'input \'schedule\' must be a cron expression of five fields, e.g. "0 6 * * 1", got "every monday"',
  'promote an unknown version':
    'input \'version\' must be latest or a version number, got "newest"',
  'promote from an unknown environment':
    'environment "qa" is not in <project>/mlops.yaml: use one of local, dev, prod',
  'model paths that are not a list':
    '/project/mlops.yaml:15:22: models.overrides.tiny-a.paths: expected a list, found "models/a"',
  'plan against a base that is not a commit':
    'input \'base\': "nope" is not a commit in <project> (fetch it first, e.g. actions/checkout with fetch-depth: 0)',
  'plan with no jobs allowed': 'input \'max-jobs\' must be an integer >= 1 and <= 256, got "0"',
  'plan outside a git checkout':
    '<project> is not in a git checkout: plan compares commits (run it in a clone)',
  'pr-comment with champions that are not status JSON':
    'input \'champions\': <project>/champions.json is not the JSON of `mlops status --json` ({"environments": […]})',
  'pr-comment on a pull request without a token':
    "input 'token' is empty: pass a token that may comment on pull requests (default ${{ github.token }}, with permissions pull-requests: write)",
  'pr-comment on a pull request number that is not one':
    'input \'pull-request\' must be an integer >= 1, got "#7"',
};

describe('bad input gets an exact, actionable error', () => {
  it('covers at least 25 distinct cases, each with an expected message', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
    expect(cases.map((c) => c.name).sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (name, c) => {
    expect(await c.run()).toBe(expected[name]);
  });
});
