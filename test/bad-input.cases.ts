import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputReader, type ActionDefinition } from '@mlops/action-kit';
import { parseConfig } from '@mlops/config';
import { messageOf } from '@mlops/foundation';
import {
  basicModelValidate,
  lintAndTest,
  packageArtifacts,
  plan,
  prComment,
  promoteRelease,
  publishScoringPipeline,
  registerModel,
  runTraining,
  type ModelValidation,
} from '@mlops/stages';
import { runStage } from './support/stages.js';
import { recordingDeps } from './support/deps.js';
import { tinyProject, withFullData } from './support/project.js';

/** How a case's input is broken, and how its one-line error is read back. */
export interface BadInputCase {
  name: string;
  run: () => Promise<string>;
}

const BASE = `name: tiny
train: { command: 'true' }
score: { command: 'true' }
data:
  sample: data/sample.csv
  keys: [shop, week]
  time: week
  target: sales
  columns: {}
models:
  name: tiny-{group}
  matrix:
    group: [a, b]
`;

/** The error of parsing config text (file name as the user sees it). */
function configError(text: string): Promise<string> {
  return Promise.resolve().then(() => {
    try {
      parseConfig(text, '/project/mlops.yaml');
      return 'no error';
    } catch (error) {
      return messageOf(error);
    }
  });
}

/** The error (thrown, or the step's failure) of running an action on a project. */
async function actionError(
  definition: ActionDefinition,
  project: string,
  inputs: Record<string, string> = {},
): Promise<string> {
  try {
    const parsed = definition.parseInputs(
      new InputReader(
        definition.inputs,
        (name) => ({ 'working-directory': project, ...inputs })[name] ?? '',
      ),
    );
    const result = await definition.execute(parsed, recordingDeps(project));
    return result.failure ?? 'no error';
  } catch (error) {
    return messageOf(error).replaceAll(project, '<project>');
  }
}

/** The first failed check of the first model, as the summary shows it. */
/** The tiny project (with full data) whose prod is an Azure ML workspace; nothing listens there. */
function azureProject(options: { tenant?: string; extra?: string } = {}): Promise<string> {
  const tenant = options.tenant ?? 't-0001';
  return tinyProject(
    withFullData({
      git: true,
      config: (t) =>
        t.replace(
          'prod: { backend: local, path: .mlops/prod }',
          `prod: { backend: azureml, subscription-id: s, resource-group: g, workspace: w${tenant ? `, tenant-id: ${tenant}` : ''}, client-id: c${options.extra ?? ''} }`,
        ),
    }),
  );
}

async function modelError(project: string, inputs: Record<string, string> = {}): Promise<string> {
  const metrics = path.join(project, '.mlops/validate/pr/metrics.json');
  const failure = await actionError(basicModelValidate as ActionDefinition, project, inputs);
  if (failure === 'no error' || failure.startsWith('input ')) return failure;
  const report = JSON.parse(await readFile(metrics, 'utf8')) as { models: ModelValidation[] };
  const model = report.models.find((m) => !m.passed)!;
  const check = Object.entries(model.checks).find(([, c]) => c.status === 'failed')!;
  return `${model.name} ${check[0]}: ${check[1].message}`.replaceAll(project, '<project>');
}

/** Runs lint-and-test on an edited copy of the tiny project. */
async function lintError(edit: Parameters<typeof tinyProject>[0]): Promise<string> {
  return actionError(lintAndTest as ActionDefinition, await tinyProject(edit));
}

/** Runs basic-model-validate on the tiny project with these inputs. */
async function inputError(inputs: Record<string, string>): Promise<string> {
  return actionError(basicModelValidate as ActionDefinition, await tinyProject(), inputs);
}

const withFault = (fault: string) => (text: string) =>
  text.replace('name: tiny\n', `name: tiny\nenv: { TINY_FAULT: ${fault} }\n`);

export const cases: BadInputCase[] = [
  { name: 'broken YAML', run: () => configError('name: tiny\ntrain: [\n') },
  { name: 'duplicate key', run: () => configError(`${BASE}name: again\n`) },
  { name: 'a list instead of a mapping', run: () => configError('- name: tiny\n') },
  {
    name: 'wrong type',
    run: () => configError(BASE.replace("train: { command: 'true' }", 'train: { command: 5 }')),
  },
  {
    name: 'unknown key with a hint',
    run: () =>
      configError(
        BASE.replace("score: { command: 'true' }", "score: { command: 'true', timout-minutes: 3 }"),
      ),
  },
  {
    name: 'missing required section',
    run: () => configError(BASE.replace("train: { command: 'true' }\n", '')),
  },
  {
    name: 'enum value with a hint',
    run: () => configError(BASE.replace('columns: {}', 'columns: { sales: { type: integr } }')),
  },
  {
    name: 'matrix values not a list',
    run: () => configError(BASE.replace('group: [a, b]', 'group: a')),
  },
  {
    name: 'unknown backend',
    run: () => configError(`${BASE}environments:\n  dev: { backend: azure }\n`),
  },
  {
    name: 'time column not a key',
    run: () => configError(BASE.replace('time: week', 'time: day')),
  },
  {
    name: 'template placeholder not in matrix',
    run: () => configError(BASE.replace('tiny-{group}', 'tiny-{grup}')),
  },
  { name: 'malformed gate', run: () => configError(`${BASE}metrics:\n  gates: ['mape =< 0.4']\n`) },
  {
    name: 'override matches no model',
    run: () => configError(`${BASE}  overrides:\n    tiny-c: { epochs: { pr: 1 } }\n`),
  },
  {
    name: 'negative timeout',
    run: () =>
      configError(
        BASE.replace(
          "train: { command: 'true' }",
          "train: { command: 'true', timeout-minutes: -1 }",
        ),
      ),
  },
  {
    name: 'missing config file',
    run: async () =>
      actionError(lintAndTest as ActionDefinition, await tinyProject(), { config: 'nope.yaml' }),
  },
  {
    name: 'stage input not pr or main',
    run: async () => inputError({ stage: 'prod' }),
  },
  {
    name: 'parallel input not an integer',
    run: async () => inputError({ parallel: 'two' }),
  },
  {
    name: 'boolean input misspelt',
    run: async () =>
      inputError({
        'fail-on-gates': 'yes',
      }),
  },
  {
    name: 'models input matches nothing',
    run: async () =>
      inputError({
        models: 'tiny-c',
      }),
  },
  {
    name: 'no lint and no test commands',
    run: async () => lintError({ config: (t) => t.replace(/lint:[\s\S]*?(?=train:)/, '') }),
  },
  {
    name: 'lint command not found',
    run: async () =>
      lintError({
        config: (t) =>
          t.replace(
            /command: '"\$MLOPS_INTERPRETER" -m flake8[^\n]*/,
            'command: nosuchlinter --check',
          ),
      }),
  },
  {
    name: 'a failing unit test',
    run: async () =>
      lintError({
        files: { 'tests/test_fail.py': 'def test_fails():\n    assert 1 == 2\n' },
      }),
  },
  {
    name: 'unreadable JUnit file',
    run: async () =>
      lintError({
        config: (t) =>
          t.replace(
            /--junitxml=reports\/junit.xml/,
            '--junitxml=reports/other.xml && echo "<testsuites><testsuite>" > reports/junit.xml',
          ),
      }),
  },
  {
    name: 'JUnit file never written',
    run: async () =>
      lintError({
        config: (t) => t.replace('junit: reports/junit.xml', 'junit: reports/nowhere.xml'),
      }),
  },
  {
    name: 'coverage below the minimum',
    run: async () =>
      lintError({ config: (t) => t.replace('min-coverage: 50', 'min-coverage: 99') }),
  },
  {
    name: 'train command exits 1',
    run: async () => modelError(await tinyProject({ config: withFault('train-exit') })),
  },
  {
    name: 'train writes no model',
    run: async () => modelError(await tinyProject({ config: withFault('no-model') })),
  },
  {
    name: 'model file with NaN',
    run: async () => modelError(await tinyProject({ config: withFault('nan-model') })),
  },
  {
    name: 'NaN predictions',
    run: async () => modelError(await tinyProject({ config: withFault('nan-predictions') })),
  },
  {
    name: 'missing predictions',
    run: async () => modelError(await tinyProject({ config: withFault('missing-predictions') })),
  },
  {
    name: 'train exceeds its time limit',
    run: async () =>
      modelError(
        await tinyProject({
          config: (t) =>
            withFault('train-slow')(t).replace(/timeout-minutes: 1/, 'timeout-minutes: 0.02'),
        }),
      ),
  },
  {
    name: 'sample violates the schema',
    run: async () => {
      const project = await tinyProject();
      const sample = path.join(project, 'data/sample.csv');
      await writeFile(sample, (await readFile(sample, 'utf8')).replace(/,a,(\d+)\n/, ',a,-$1\n'));
      return modelError(project);
    },
  },
  {
    name: 'sample file missing',
    run: async () =>
      actionError(
        basicModelValidate as ActionDefinition,
        await tinyProject({ config: (t) => t.replace('data/sample.csv', 'data/missing.csv') }),
      ),
  },
  {
    name: 'matrix value with no rows',
    run: async () =>
      modelError(await tinyProject({ config: (t) => t.replace('group: [a, b]', 'group: [a, c]') })),
  },
  // The delivery stages (package, register, publish, promote).
  {
    name: 'package from an unknown stage',
    run: async () =>
      actionError(packageArtifacts as ActionDefinition, await tinyProject({ git: true }), {
        'from-stage': 'prod',
      }),
  },
  {
    name: 'package a lock file that does not exist',
    run: async () => {
      const project = await tinyProject({
        git: true,
        config: (t) => `${t}package:\n  environment: [requirements.lock]\n`,
      });
      await runStage(basicModelValidate, project, { stage: 'main' });
      return actionError(packageArtifacts as ActionDefinition, project);
    },
  },
  {
    name: 'register with no package made',
    run: async () =>
      actionError(registerModel as ActionDefinition, await tinyProject({ git: true })),
  },
  {
    name: 'register a package that is not there',
    run: async () =>
      actionError(registerModel as ActionDefinition, await tinyProject({ git: true }), {
        artifact: 'tiny-000000000000',
      }),
  },
  {
    name: 'register with an unknown on-gate-miss',
    run: async () =>
      actionError(registerModel as ActionDefinition, await tinyProject({ git: true }), {
        'on-gate-miss': 'warn',
      }),
  },
  {
    name: 'register into azureml without an OIDC token',
    run: async () =>
      actionError(registerModel as ActionDefinition, await azureProject(), {
        environment: 'prod',
      }),
  },
  {
    name: 'register into azureml with no tenant',
    run: async () =>
      actionError(registerModel as ActionDefinition, await azureProject({ tenant: '' }), {
        environment: 'prod',
      }),
  },
  {
    name: 'azureml environment with a plain-http ARM endpoint',
    run: async () =>
      actionError(
        registerModel as ActionDefinition,
        await azureProject({ extra: ', arm-endpoint: "http://127.0.0.1:8080"' }),
        { environment: 'prod' },
      ),
  },
  {
    name: 'train on azureml with no compute',
    run: async () => {
      const project = await azureProject({ extra: ', auth: cli' });
      await runStage(basicModelValidate, project, { stage: 'main' });
      await runStage(packageArtifacts, project);
      return actionError(runTraining as ActionDefinition, project, { environment: 'prod' });
    },
  },
  // Training on the platform (run-training) and registering what it trained.
  {
    name: 'train with no full data configured',
    run: async () => actionError(runTraining as ActionDefinition, await tinyProject({ git: true })),
  },
  {
    name: 'train with the full-data file missing',
    run: async () => {
      const project = await tinyProject(withFullData({ git: true }));
      await rm(path.join(project, 'data/full'), { recursive: true });
      return actionError(runTraining as ActionDefinition, project);
    },
  },
  {
    name: 'train on a full-data URI',
    run: async () =>
      actionError(
        runTraining as ActionDefinition,
        await tinyProject({
          git: true,
          config: (t) =>
            t.replace(
              'sample: data/sample.csv',
              'sample: data/sample.csv\n  full: azureml://datastores/main/paths/sales.csv',
            ),
        }),
      ),
  },
  {
    name: 'train with full data that is not CSV',
    run: async () => {
      const project = await tinyProject(withFullData({ git: true }));
      await writeFile(
        path.join(project, 'data/full/sales.csv'),
        'shop,week,group,sales\na0,2024-01-01\n',
      );
      return actionError(runTraining as ActionDefinition, project);
    },
  },
  {
    name: 'train with a timeout that is not a number',
    run: async () =>
      actionError(runTraining as ActionDefinition, await tinyProject({ git: true }), {
        'timeout-minutes': 'soon',
      }),
  },
  {
    name: 'register training results that do not exist',
    run: async () =>
      actionError(registerModel as ActionDefinition, await tinyProject({ git: true }), {
        training: 'latest',
      }),
  },
  {
    name: 'register training results of another environment',
    run: async () => {
      const project = await tinyProject({ git: true });
      await writeFile(
        path.join(project, 'dev-results.json'),
        JSON.stringify({ schema: 1, environment: 'dev', package: {}, models: [] }),
      );
      return actionError(registerModel as ActionDefinition, project, {
        environment: 'prod',
        training: 'dev-results.json',
      });
    },
  },
  {
    name: 'register both a model folder and training results',
    run: async () =>
      actionError(registerModel as ActionDefinition, await tinyProject({ git: true }), {
        'model-dir': 'model',
        models: 'tiny-a',
        training: 'latest',
      }),
  },
  {
    name: 'publish before anything is registered',
    run: async () =>
      actionError(publishScoringPipeline as ActionDefinition, await tinyProject({ git: true })),
  },
  {
    name: 'publish with a misspelt trigger',
    run: async () =>
      actionError(publishScoringPipeline as ActionDefinition, await tinyProject({ git: true }), {
        trigger: 'yes',
      }),
  },
  {
    name: 'publish with a schedule that is not cron',
    run: async () =>
      actionError(publishScoringPipeline as ActionDefinition, await tinyProject({ git: true }), {
        schedule: 'every monday',
      }),
  },
  {
    name: 'promote an unknown version',
    run: async () =>
      actionError(promoteRelease as ActionDefinition, await tinyProject({ git: true }), {
        version: 'newest',
      }),
  },
  {
    name: 'promote from an unknown environment',
    run: async () =>
      actionError(promoteRelease as ActionDefinition, await tinyProject({ git: true }), {
        'from-environment': 'qa',
      }),
  },
  {
    name: 'model paths that are not a list',
    run: () =>
      configError(
        BASE.replace(
          '    group: [a, b]',
          '    group: [a, b]\n  overrides:\n    tiny-a: { paths: models/a }',
        ),
      ),
  },
  {
    name: 'plan against a base that is not a commit',
    run: async () =>
      actionError(plan as ActionDefinition, await tinyProject({ git: true }), { base: 'nope' }),
  },
  {
    name: 'plan with no jobs allowed',
    run: async () =>
      actionError(plan as ActionDefinition, await tinyProject({ git: true }), { 'max-jobs': '0' }),
  },
  {
    name: 'plan outside a git checkout',
    run: async () => actionError(plan as ActionDefinition, await tinyProject()),
  },
  {
    name: 'pr-comment with champions that are not status JSON',
    run: async () => {
      const project = await tinyProject({ files: { 'champions.json': '[1, 2]' } });
      return actionError(prComment as ActionDefinition, project, { champions: 'champions.json' });
    },
  },
  {
    name: 'pr-comment on a pull request without a token',
    run: async () =>
      actionError(prComment as ActionDefinition, await tinyProject(), { 'pull-request': '7' }),
  },
  {
    name: 'pr-comment on a pull request number that is not one',
    run: async () =>
      actionError(prComment as ActionDefinition, await tinyProject(), { 'pull-request': '#7' }),
  },
];
