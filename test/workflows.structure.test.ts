import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { relativeName, resolveSelf, workflowFiles } from './workflows/files.js';
import {
  actionOf,
  flatJobs,
  loadWorkflow,
  needsOf,
  reusable,
  template,
  type FlatJob,
  type Permissions,
  type Workflow,
} from './workflows/model.js';

/*
 * The flow the templates enforce, read from the workflow files: which trigger
 * runs which reusable workflow and which actions, in which order and
 * environment, and the security rules (no credentials on pull requests,
 * least permissions, pinned third-party actions, no untrusted text in scripts).
 */

const DEPLOY_ACTIONS = [
  'package-artifacts',
  'run-training',
  'register-model',
  'publish-scoring-pipeline',
  'promote-release',
];
/** Our actions that reach the ML platform, so sign in to Azure in an azureml environment. */
const AZURE_ACTIONS = [
  'run-training',
  'register-model',
  'publish-scoring-pipeline',
  'promote-release',
  'champions',
];
const TEMPLATES = ['pr.yml', 'main.yml', 'release.yml', 'retrain.yml', 'promote.yml'];

const steps = (j: FlatJob) => j.job.steps ?? [];
const actions = (j: FlatJob) =>
  steps(j)
    .map(actionOf)
    .filter((a): a is string => !!a);
const job = (jobs: FlatJob[], path: string) => {
  const found = jobs.find((j) => j.path === path);
  if (!found) throw new Error(`no job ${path} in ${jobs.map((j) => j.path).join(', ')}`);
  return found;
};
const writes = (p: Permissions | undefined): string[] =>
  p === undefined || typeof p === 'string'
    ? p === 'write-all'
      ? ['write-all']
      : []
    : Object.entries(p)
        .filter(([, v]) => v === 'write')
        .map(([k]) => k);
/** The reusable workflow a template's job calls, by file name. */
const calls = (w: Workflow) =>
  Object.values(w.jobs)
    .filter((j) => j.uses)
    .map((j) => relativeName(resolveSelf(j.uses!) ?? j.uses!).replace('.github/workflows/', ''));
const concurrencyOf = (w: Workflow) =>
  typeof w.concurrency === 'string' ? { group: w.concurrency } : (w.concurrency ?? { group: '' });

describe('the templates run the documented flow', () => {
  it('every template exists and calls this repository at @v1', () => {
    for (const name of TEMPLATES) {
      const w = loadWorkflow(template(name));
      for (const j of Object.values(w.jobs).filter((j) => j.uses)) {
        expect(j.uses, name).toMatch(
          /^OWNER\/mlops-actions\/\.github\/workflows\/mlops-[a-z]+\.yml@v1$/,
        );
      }
    }
  });

  it('pull requests run mlops-pr: plan, then the affected models over a matrix, code checks, one comment', () => {
    const w = loadWorkflow(template('pr.yml'));
    expect(Object.keys(w.on)).toEqual(['pull_request']);
    expect(calls(w)).toEqual(['mlops-pr.yml']);
    const jobs = flatJobs(template('pr.yml'));
    expect(actions(job(jobs, 'mlops/plan'))).toContain('plan');
    expect(actions(job(jobs, 'mlops/code'))).toContain('lint-and-test');
    const models = job(jobs, 'mlops/models');
    expect(needsOf(models.job)).toEqual(['plan']);
    expect(String(models.job.if)).toMatch(/needs\.plan\.outputs\.any == 'true'/);
    expect(models.job.strategy?.matrix).toBe('${{ fromJSON(needs.plan.outputs.matrix) }}');
    const validate = steps(models).find((s) => actionOf(s) === 'basic-model-validate');
    expect(validate?.with).toMatchObject({ stage: 'pr', models: '${{ matrix.models }}' });
    const comment = job(jobs, 'mlops/comment');
    expect(needsOf(comment.job).sort()).toEqual(['models', 'plan']);
    expect(String(comment.job.if)).toMatch(/always\(\)/);
    expect(actions(comment)).toContain('pr-comment');
    expect(comment.job.permissions).toMatchObject({ 'pull-requests': 'write' });
  });

  it.each([
    ['main.yml', { push: { branches: ['main'] } }, 'dev', 'main'],
    ['release.yml', { push: { branches: ['release/*'] } }, 'prod', 'main'],
  ])('%s delivers to its environment with mlops-deliver', (name, on, environment, stage) => {
    const w = loadWorkflow(template(name));
    expect(w.on).toEqual(on);
    expect(calls(w)).toEqual(['mlops-deliver.yml']);
    expect(w.jobs.mlops?.with).toMatchObject({ environment, stage });
  });

  it('retrain runs on a schedule and on data-changed, in prod, with the code of the current release branch', () => {
    const w = loadWorkflow(template('retrain.yml'));
    expect(Object.keys(w.on).sort()).toEqual(['repository_dispatch', 'schedule']);
    expect(w.on.repository_dispatch).toEqual({ types: ['data-changed'] });
    expect(calls(w)).toEqual(['mlops-deliver.yml']);
    const call = Object.entries(w.jobs).find(([, j]) => j.uses)!;
    expect(call[1].with).toMatchObject({ environment: 'prod', stage: 'full' });
    const ref = String(call[1].with?.ref);
    const [, from] = /^\$\{\{ needs\.([\w-]+)\.outputs\.ref \}\}$/.exec(ref) ?? [];
    expect(needsOf(call[1])).toContain(from);
    // The job that finds the branch holds no write permission and no credentials.
    expect(writes(w.jobs[from!]?.permissions)).toEqual([]);
  });

  it('mlops-deliver validates without credentials, then packages, trains, registers and publishes in the environment', () => {
    const w = loadWorkflow(reusable('mlops-deliver.yml'));
    expect(Object.keys(w.on)).toEqual(['workflow_call']);
    const jobs = flatJobs(reusable('mlops-deliver.yml'));
    const validate = job(jobs, 'validate');
    expect(actions(validate).filter((a) => !a.includes('/'))).toEqual([
      'lint-and-test',
      'basic-model-validate',
    ]);
    expect(validate.job.environment).toBeUndefined();
    expect(writes(validate.job.permissions)).toEqual([]);
    const deliver = job(jobs, 'deliver');
    expect(needsOf(deliver.job)).toEqual(['validate']);
    expect(deliver.job.environment).toBe('${{ inputs.environment }}');
    const order = actions(deliver);
    const at = (a: string) => order.indexOf(a);
    for (const a of [
      'package-artifacts',
      'run-training',
      'register-model',
      'publish-scoring-pipeline',
    ]) {
      expect(order, a).toContain(a);
    }
    expect(at('package-artifacts')).toBeLessThan(at('run-training'));
    expect(at('run-training')).toBeLessThan(at('register-model'));
    expect(at('register-model')).toBeLessThan(at('publish-scoring-pipeline'));
    const upload = steps(deliver).findIndex(
      (s) => actionOf(s) === 'actions/upload-artifact' && s.with?.name === 'mlops-champions',
    );
    expect(upload).toBeGreaterThan(at('publish-scoring-pipeline'));
    // Every deploy step works in the environment the caller named.
    for (const s of steps(deliver).filter((s) => AZURE_ACTIONS.includes(actionOf(s) ?? ''))) {
      expect(s.with?.environment, actionOf(s)).toBe('${{ inputs.environment }}');
    }
  });

  it('promote is a workflow_dispatch with the promotion inputs, into mlops-promote', () => {
    const w = loadWorkflow(template('promote.yml'));
    expect(Object.keys(w.on)).toEqual(['workflow_dispatch']);
    const inputs = (
      w.on.workflow_dispatch as { inputs: Record<string, { type?: string; options?: string[] }> }
    ).inputs;
    expect(Object.keys(inputs)).toEqual(
      expect.arrayContaining(['model', 'version', 'environment', 'reason', 'force', 'rollback']),
    );
    expect(inputs.force?.type).toBe('boolean');
    // Promotion only targets the protected environment.
    expect(inputs.environment?.type).toBe('choice');
    expect(inputs.environment?.options).toEqual(['prod']);
    expect(calls(w)).toEqual(['mlops-promote.yml']);
    for (const name of ['model', 'version', 'environment', 'reason', 'force', 'rollback']) {
      expect(w.jobs.mlops?.with?.[name], name).toBe(`\${{ inputs.${name} }}`);
    }
  });
});

describe('security rules', () => {
  const all = workflowFiles();

  it('pull-request workflows hold no secrets, no id-token, no environment and no deploy step', () => {
    for (const file of [template('pr.yml'), reusable('mlops-pr.yml')]) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/\$\{\{[^}]*\bsecrets\./);
      expect(text, file).not.toMatch(/^\s*secrets:/m);
      expect(text, file).not.toMatch(/id-token/);
      expect(text, file).not.toMatch(/pull_request_target/);
      for (const j of flatJobs(file)) {
        expect(j.job.environment, j.path).toBeUndefined();
        expect(j.job.secrets, j.path).toBeUndefined();
        expect(
          actions(j).filter((a) => DEPLOY_ACTIONS.includes(a)),
          j.path,
        ).toEqual([]);
        for (const s of steps(j))
          expect(
            Object.keys(s.env ?? {}).filter((k) => /AZURE/.test(k)),
            j.path,
          ).toEqual([]);
      }
    }
  });

  it('promote-release runs only in mlops-promote, in a job whose environment is the promote input', () => {
    for (const file of all) {
      for (const j of flatJobs(file).filter((j) => actions(j).includes('promote-release'))) {
        expect(j.file, j.path).toBe('.github/workflows/mlops-promote.yml');
        expect(j.job.environment, j.path).toBe('${{ inputs.environment }}');
        expect(j.caller?.file ?? 'workflows-templates/promote.yml', j.path).toBe(
          'workflows-templates/promote.yml',
        );
      }
    }
    expect(
      flatJobs(template('promote.yml')).some((j) => actions(j).includes('promote-release')),
    ).toBe(true);
  });

  it('id-token: write only on jobs that sign in to Azure, and every such job has it', () => {
    for (const file of all) {
      for (const { path, job: j } of Object.entries(loadWorkflow(file).jobs).map(([path, job]) => ({
        path,
        job,
      }))) {
        if (j.uses) continue;
        const signsIn = (j.steps ?? []).some((s) => AZURE_ACTIONS.includes(actionOf(s) ?? ''));
        const idToken = writes(j.permissions).includes('id-token');
        expect(idToken, `${relativeName(file)} ${path}`).toBe(signsIn);
        if (signsIn) expect(j.environment, `${relativeName(file)} ${path}`).toBeDefined();
      }
    }
  });

  it('least permissions: no write-all, every job has explicit permissions, top level grants only what the called jobs need', () => {
    for (const file of all) {
      const w = loadWorkflow(file);
      const name = relativeName(file);
      expect(readFileSync(file, 'utf8'), name).not.toMatch(/write-all|read-all/);
      expect(w.permissions, `${name} sets top-level permissions`).toBeDefined();
      const flat = flatJobs(file);
      if (Object.values(w.jobs).some((j) => j.uses)) {
        // A caller's top-level permissions cap the called jobs: grant exactly their writes.
        const needed = new Set(flat.flatMap((j) => writes(j.job.permissions)));
        expect(new Set(writes(w.permissions)), name).toEqual(needed);
      } else {
        expect(writes(w.permissions), `${name}: writes belong on jobs`).toEqual([]);
      }
      // Each job's own permissions, or its workflow's read-only ones: never the repository default.
      for (const j of flat) {
        const own =
          j.job.permissions ??
          loadWorkflow(resolveSelf(j.caller?.job.uses ?? '') ?? file).permissions;
        expect(own, `${name} ${j.path}`).toBeDefined();
      }
    }
  });

  it('concurrency: pull requests cancel superseded runs, promotions queue per model and environment, deliveries never cancel', () => {
    const pr = concurrencyOf(loadWorkflow(template('pr.yml')));
    expect(pr.group).toMatch(/github\.event\.pull_request\.number|github\.head_ref|github\.ref/);
    expect(pr['cancel-in-progress']).toBe(true);
    const promote = concurrencyOf(loadWorkflow(template('promote.yml')));
    expect(promote.group).toMatch(/inputs\.model/);
    expect(promote.group).toMatch(/inputs\.environment/);
    expect(promote['cancel-in-progress'] ?? false).toBe(false);
    const groups: Record<string, string> = {};
    for (const name of ['main.yml', 'release.yml', 'retrain.yml']) {
      const c = concurrencyOf(loadWorkflow(template(name)));
      expect(c.group, name).not.toBe('');
      expect(c['cancel-in-progress'] ?? false, name).toBe(false);
      groups[name] = c.group;
    }
    // Release and retrain both deliver to prod: one queue, never interleaved.
    expect(groups['release.yml']).toBe(groups['retrain.yml']);
    expect(groups['main.yml']).not.toBe(groups['release.yml']);
  });

  it('every third-party action is pinned by a commit sha', () => {
    for (const file of all) {
      for (const j of Object.values(loadWorkflow(file).jobs)) {
        const uses = [...(j.steps ?? []).map((s) => s.uses), j.uses].filter(
          (u): u is string => !!u,
        );
        for (const u of uses.filter((u) => !resolveSelf(u) && !u.startsWith('./'))) {
          expect(u, relativeName(file)).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
        }
      }
    }
  });

  it('no untrusted text in run: scripts (github.event, inputs, github.head_ref go through env:)', () => {
    for (const file of all) {
      for (const j of Object.values(loadWorkflow(file).jobs)) {
        for (const s of j.steps ?? []) {
          if (s.run === undefined) continue;
          expect(s.run, relativeName(file)).not.toMatch(
            /\$\{\{[^}]*\b(github\.event|inputs\.|github\.head_ref)/,
          );
        }
      }
    }
  });

  it('every job with steps has timeout-minutes', () => {
    for (const file of all) {
      for (const [id, j] of Object.entries(loadWorkflow(file).jobs)) {
        if (j.uses) continue;
        expect(j['timeout-minutes'], `${relativeName(file)} ${id}`).toBeGreaterThan(0);
      }
    }
  });
});
