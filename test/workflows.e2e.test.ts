import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openLocalPlatform } from '@mlops/platform';
import {
  executeWorkflow,
  type ExecuteOptions,
  type JobResult,
  type WorkflowRun,
} from './workflows/executor.js';
import { template } from './workflows/model.js';
import { startGitHubApi, type FakeGitHubApi } from './support/github-api.js';
import { fakeGhBin } from './workflows/github-fakes.js';
import {
  exampleCopy,
  exampleFullData,
  tempDir,
  tinyProject,
  withFullData,
} from './support/project.js';

/*
 * The five templates run end to end with the local executor, in the order of
 * the flow, on one project: a pull request, its merge to main (dev), a release
 * branch (prod), a retraining on the release code (prod), a promotion (prod),
 * and a second push to the pull request, whose comment is updated in place
 * and now compares with the champion.
 *
 * The project is the tiny fixture with full data (2 models, standard-library
 * Python, about 12 s for all six runs): the delivery workflows have no input
 * to narrow the models, so the example project would train all 56 models in
 * every delivery (minutes per run on 2 cores). The example runs below, cut to
 * two models, through release and promotion.
 */

const MODELS = ['tiny-a', 'tiny-b'];
const GIT_ENV = {
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

let project: string;
let api: FakeGitHubApi;
let artifactsRoot: string;
let common: Omit<ExecuteOptions, 'event'>;
const runs: Record<string, WorkflowRun> = {};

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: project, env: { ...process.env, ...GIT_ENV } })
    .toString()
    .trim();
}

function jobOf(run: WorkflowRun, jobPath: string): JobResult {
  const job = run.jobs.find((j) => j.path === jobPath);
  if (!job) throw new Error(`no job ${jobPath}: ${run.jobs.map((j) => j.path).join(', ')}`);
  return job;
}

function stepOf(job: JobResult, action: string) {
  const step = job.steps.find((s) => s.uses?.includes(`/actions/${action}@`));
  if (!step) throw new Error(`no ${action} step in ${job.path}`);
  return step;
}

/** Every job ran and succeeded; on failure, the log says where. */
function expectSucceeded(run: WorkflowRun, jobs: string[]): void {
  const results = Object.fromEntries(
    run.jobs.map((j) => [
      j.name === j.path.split('/').pop() ? j.path : `${j.path} ${j.name}`,
      j.result,
    ]),
  );
  expect(run.conclusion, run.log.join('\n')).toBe('success');
  for (const j of jobs) expect(results[j], `${j}\n${run.log.join('\n')}`).toBe('success');
}

async function platform(environment: string) {
  return openLocalPlatform({ environment, stateDir: path.join(project, `.mlops/${environment}`) });
}

async function pullRequest(): Promise<WorkflowRun> {
  const sha = git('rev-parse', 'HEAD');
  return executeWorkflow(template('pr.yml'), {
    ...common,
    event: {
      name: 'pull_request',
      payload: {
        number: 7,
        pull_request: { number: 7, head: { sha, ref: 'feature' }, base: { ref: 'main' } },
      },
    },
    github: {
      ...common.github,
      ref: 'refs/pull/7/merge',
      sha,
      head_ref: 'feature',
      base_ref: 'main',
    },
  });
}

/** The comments on the pull request the PR runs are for. */
const prComments = () => api.comments.get('example/project#7') ?? [];

describe('the workflow templates, end to end on the local backend', () => {
  beforeAll(async () => {
    project = await tinyProject(withFullData({ git: true }));
    api = await startGitHubApi(['fake-token']);
    artifactsRoot = path.join(await tempDir('mlops-workflow-artifacts-'), 'runs');
    common = {
      workspace: project,
      artifactsRoot,
      github: { token: 'fake-token', api_url: api.url, repository: 'example/project' },
      env: { PATH: `${await fakeGhBin(artifactsRoot)}:${process.env.PATH ?? '/usr/bin:/bin'}` },
    };
  });
  afterAll(async () => {
    await api?.close();
  });

  it(
    'pr.yml: plans, validates code and models without credentials, comments once',
    { timeout: 120_000 },
    async () => {
      git('checkout', '-q', '-b', 'feature');
      await appendFile(path.join(project, 'tiny.py'), '\n# a shared change: every model\n');
      git('commit', '-q', '-am', 'change shared code');
      const run = (runs.pr = await pullRequest());
      expectSucceeded(run, ['mlops/plan', 'mlops/code', 'mlops/comment']);
      const plan = jobOf(run, 'mlops/plan');
      expect(plan.outputs.any).toBe('true');
      expect(plan.outputs.models!.split(',').sort()).toEqual(MODELS);
      const legs = run.jobs.filter((j) => j.path === 'mlops/models');
      expect(legs.length).toBeGreaterThan(0);
      expect(legs.every((l) => l.result === 'success')).toBe(true);
      expect(legs.map((l) => stepOf(l, 'basic-model-validate').outputs['models-failed'])).toEqual(
        legs.map(() => '0'),
      );
      // No environment, no credentials, nothing delivered.
      expect(run.jobs.map((j) => j.environment).filter(Boolean)).toEqual([]);
      expect(existsSync(path.join(project, '.mlops/dev'))).toBe(false);
      expect(existsSync(path.join(project, '.mlops/prod'))).toBe(false);
      // Third-party steps are named.
      const log = run.log.join('\n');
      expect(log).toMatch(/skipped actions\/checkout@[0-9a-f]{40}: the workspace is the project/);
      expect(log).toMatch(
        /stubbed actions\/upload-artifact@[0-9a-f]{40}: copied 1 file\(s\) into artifact mlops-validation-0/,
      );
      expect(log).toMatch(
        /stubbed actions\/download-artifact@[0-9a-f]{40}: copied artifact\(s\) mlops-validation-0/,
      );
      expect([...api.comments.keys()]).toEqual(['example/project#7']);
      expect(prComments()).toHaveLength(1);
      for (const m of MODELS) expect(prComments()[0]!.body).toContain(m);
    },
  );

  it(
    'main.yml: validates, then packages, trains, registers and scores in dev',
    { timeout: 120_000 },
    async () => {
      git('checkout', '-q', 'main');
      git('merge', '-q', '--ff-only', 'feature');
      const run = (runs.main = await executeWorkflow(template('main.yml'), {
        ...common,
        event: { name: 'push', payload: { ref: 'refs/heads/main' } },
        github: { ...common.github, ref: 'refs/heads/main', sha: git('rev-parse', 'HEAD') },
      }));
      expectSucceeded(run, ['mlops/validate', 'mlops/deliver', 'mlops']);
      const deliver = jobOf(run, 'mlops/deliver');
      expect(deliver.environment).toBe('dev');
      expect(jobOf(run, 'mlops/validate').environment).toBeUndefined();
      expect(
        deliver.steps
          .filter((s) => s.kind === 'action')
          .map((s) => s.uses!.split('/')[3]!.split('@')[0]),
      ).toEqual([
        'package-artifacts',
        'run-training',
        'register-model',
        'publish-scoring-pipeline',
        'champions',
      ]);
      expect(jobOf(run, 'mlops').outputs.registered!.split(',').sort()).toEqual(MODELS);
      expect(stepOf(deliver, 'publish-scoring-pipeline').outputs['rows-scored']).toMatch(
        /^\d+,\d+$/,
      );
      // The package went through @actions/artifact to the runner-service fake; the champions through the stub.
      expect(run.serviceArtifacts).toEqual([
        stepOf(deliver, 'package-artifacts').outputs['artifact-name'],
      ]);
      expect(run.log.join('\n')).toMatch(/into artifact mlops-champions/);
      const dev = await platform('dev');
      expect((await dev.registry.names()).sort()).toEqual(MODELS);
      expect(existsSync(path.join(project, '.mlops/prod'))).toBe(false);
    },
  );

  it('release.yml: the same delivery in prod', { timeout: 120_000 }, async () => {
    git('checkout', '-q', '-b', 'release/1');
    const run = (runs.release = await executeWorkflow(template('release.yml'), {
      ...common,
      event: { name: 'push', payload: { ref: 'refs/heads/release/1' } },
      github: { ...common.github, ref: 'refs/heads/release/1', sha: git('rev-parse', 'HEAD') },
    }));
    expectSucceeded(run, ['mlops/validate', 'mlops/deliver']);
    expect(jobOf(run, 'mlops/deliver').environment).toBe('prod');
    const prod = await platform('prod');
    expect((await prod.registry.names()).sort()).toEqual(MODELS);
  });

  it(
    'retrain.yml: on data-changed, trains the current release code on the full data in prod',
    { timeout: 120_000 },
    async () => {
      git('checkout', '-q', 'main');
      const run = (runs.retrain = await executeWorkflow(template('retrain.yml'), {
        ...common,
        event: {
          name: 'repository_dispatch',
          payload: { action: 'data-changed', client_payload: {} },
        },
        github: { ...common.github, ref: 'refs/heads/main', sha: git('rev-parse', 'HEAD') },
      }));
      expectSucceeded(run, ['release-branch', 'mlops/validate', 'mlops/deliver']);
      expect(jobOf(run, 'release-branch').outputs.ref).toBe('release/1');
      const deliver = jobOf(run, 'mlops/deliver');
      expect(deliver.environment).toBe('prod');
      // checkout with ref: the release branch is what was trained.
      expect(run.log.join('\n')).toMatch(
        /the workspace is the project \(git checkout release\/1\)/,
      );
      expect(git('rev-parse', '--abbrev-ref', 'HEAD')).toBe('release/1');
      expect(stepOf(deliver, 'publish-scoring-pipeline').outputs['rows-scored']).toMatch(
        /^\d+,\d+$/,
      );
    },
  );

  it(
    'promote.yml: promotes the prod candidates in the prod environment',
    { timeout: 120_000 },
    async () => {
      const run = (runs.promote = await executeWorkflow(template('promote.yml'), {
        ...common,
        event: { name: 'workflow_dispatch', payload: {} },
        inputs: {
          model: '',
          version: 'latest',
          environment: 'prod',
          reason: 'end-to-end test',
          force: false,
          rollback: '',
        },
        github: { ...common.github, ref: 'refs/heads/main', sha: git('rev-parse', 'HEAD') },
      }));
      expectSucceeded(run, ['mlops/promote']);
      const promote = jobOf(run, 'mlops/promote');
      expect(promote.environment).toBe('prod');
      expect(promote.permissions).toMatchObject({ 'id-token': 'write' });
      expect(stepOf(promote, 'promote-release').outputs.decision).toBe('promoted,promoted');
      const prod = await platform('prod');
      for (const m of MODELS)
        expect(await prod.registry.list(m, { tags: { stage: 'champion' } })).toHaveLength(1);
      const dev = await platform('dev');
      for (const m of MODELS)
        expect(await dev.registry.list(m, { tags: { stage: 'champion' } })).toHaveLength(0);
    },
  );

  it(
    'a second push to the pull request updates the one comment, now against the champion',
    { timeout: 120_000 },
    async () => {
      git('checkout', '-q', 'feature');
      await appendFile(path.join(project, 'tiny.py'), '# another push\n');
      git('commit', '-q', '-am', 'another push');
      const run = await pullRequest();
      expectSucceeded(run, ['mlops/plan', 'mlops/comment']);
      expect(run.log.join('\n')).toMatch(
        /stubbed actions\/download-artifact@[0-9a-f]{40}: copied artifact\(s\) mlops-champions/,
      );
      expect(prComments()).toHaveLength(1);
      expect(prComments()[0]!.updates).toBe(1);
      expect(prComments()[0]!.body).toMatch(/champion’s on the full data in prod/);
    },
  );
});

/*
 * The example project through release and promotion, with its matrix cut to
 * one region and store format (2 of its 56 models), as a change of the copy's
 * mlops.yaml: the templates have no input to pick models for a delivery.
 */
describe('the example project through release.yml and promote.yml', () => {
  it('delivers and promotes two example models in prod', { timeout: 180_000 }, async () => {
    const example = await exampleCopy();
    const config = path.join(example, 'mlops.yaml');
    const text = await readFile(config, 'utf8');
    const cut = text
      .replace(/region: \[north-east,[^\]]*\]/s, 'region: [north-east]')
      .replace('store_format: [large, small]', 'store_format: [large]');
    expect(cut).not.toBe(text);
    await writeFile(config, cut);
    execFileSync('git', ['commit', '-qam', 'two models'], {
      cwd: example,
      env: { ...process.env, ...GIT_ENV },
    });
    await mkdir(path.join(example, 'data/full'), { recursive: true });
    await copyFile(exampleFullData(), path.join(example, 'data/full/shipments.csv'));
    const models = ['demand-north-east-large-fast', 'demand-north-east-large-slow'];

    const release = await executeWorkflow(template('release.yml'), {
      workspace: example,
      event: { name: 'push', payload: { ref: 'refs/heads/release/1' } },
      github: { ref: 'refs/heads/release/1' },
    });
    expectSucceeded(release, ['mlops/validate', 'mlops/deliver']);
    expect(jobOf(release, 'mlops/deliver').environment).toBe('prod');
    expect(jobOf(release, 'mlops').outputs.registered!.split(',').sort()).toEqual(models);

    const promote = await executeWorkflow(template('promote.yml'), {
      workspace: example,
      event: { name: 'workflow_dispatch', payload: {} },
      inputs: { version: 'latest', environment: 'prod', reason: 'first release' },
    });
    expectSucceeded(promote, ['mlops/promote']);
    const prod = await openLocalPlatform({
      environment: 'prod',
      stateDir: path.join(example, '.mlops/prod'),
    });
    for (const m of models) {
      expect(await prod.registry.list(m, { tags: { stage: 'champion' } }), m).toHaveLength(1);
    }
  });
});
