import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicModelValidate, COMMENT_MARKER, type ChampionsFile } from '@mlops/stages';
import { runBundle } from './support/bundle.js';
import { startGitHubApi, type FakeGitHubApi } from './support/github-api.js';
import { tempDir, tinyProject } from './support/project.js';
import { runStage } from './support/stages.js';

let api: FakeGitHubApi;
let project: string;
let runner: string;

/** What the comment job has after downloading the matrix jobs' artifacts. */
async function downloadedResults(dir: string, models: string[]): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  for (const [index, model] of models.entries()) {
    const result = await runStage(basicModelValidate, project, { stage: 'pr', models: model });
    await mkdir(path.join(dir, `mlops-validation-${index}`), { recursive: true });
    await cp(result.outputs.metrics!, path.join(dir, `mlops-validation-${index}`, 'metrics.json'));
  }
}

function comment(inputs: Record<string, string>, token = 'test-token') {
  return runBundle(
    'pr-comment',
    { token, models: 'tiny-a,tiny-b', ...inputs },
    {
      workspace: runner,
      env: {
        GITHUB_API_URL: api.url,
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_EVENT_PATH: path.join(runner, 'event.json'),
        GITHUB_RUN_ID: '42',
        GITHUB_SERVER_URL: 'https://github.com',
      },
    },
  );
}

beforeAll(async () => {
  api = await startGitHubApi();
  project = await tinyProject();
  runner = await tempDir('mlops-comment-');
  await writeFile(
    path.join(runner, 'event.json'),
    JSON.stringify({ pull_request: { number: 7, head: { sha: '0123456789abcdef' } } }),
  );
  const champions: ChampionsFile = {
    generatedAt: '2026-11-20T10:00:00.000Z',
    environments: [
      {
        name: 'prod',
        backend: 'local',
        location: '.mlops/prod',
        models: [
          {
            name: 'tiny-a',
            champion: {
              version: 3,
              createdAt: '2026-11-01T00:00:00.000Z',
              metrics: { mape: 0.123 },
              baseline: { mape: 0.4 },
            },
            candidates: [4],
          },
        ],
      },
    ],
  };
  await mkdir(path.join(runner, 'mlops-champions'));
  await writeFile(path.join(runner, 'mlops-champions/champions.json'), JSON.stringify(champions));
  // Someone else's comment is there first and stays untouched.
  api.comments.set('acme/shop#7', [
    {
      id: 1,
      body: 'Looks good to me',
      html_url: 'https://github.com/acme/shop/pull/7#c1',
      updates: 0,
    },
  ]);
});

afterAll(async () => {
  await api?.close();
});

describe('dist/pr-comment', () => {
  it('creates one comment with the metrics per model against the champion, then updates it in place', async () => {
    const results = path.join(runner, 'mlops-validation');
    await downloadedResults(results, ['tiny-a', 'tiny-b']);
    const first = await comment({
      results,
      champions: path.join(runner, 'mlops-champions/champions.json'),
    });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const posted = api.comments.get('acme/shop#7')!;
    expect(posted).toHaveLength(2);
    expect(posted[0]!.body).toBe('Looks good to me');
    const ours = posted[1]!;
    expect(first.outputs).toEqual({ 'comment-id': String(ours.id), 'comment-url': ours.html_url });
    expect(ours.body.startsWith(`${COMMENT_MARKER}\n## mlops: basic model validation`)).toBe(true);
    expect(ours.body).toContain(
      '| Model | Result | MAPE | Baseline MAPE | Champion MAPE (prod) | Gates |',
    );
    expect(ours.body).toMatch(
      /\| `tiny-a` \| (✅|❌[^|]*) \| \d\.\d{3} \| \d\.\d{3} \| 0\.123 \(v3\) \| (✅|❌) mape <= 0\.5/,
    );
    expect(ours.body).toMatch(/\| `tiny-b` \| (✅|❌[^|]*) \| \d\.\d{3} \| \d\.\d{3} \| – \|/);
    expect(ours.body).toContain('commit `0123456`');
    expect(ours.body).toContain('[workflow run](https://github.com/acme/shop/actions/runs/42)');
    expect(first.summary).toContain(`Posted [the comment on #7](${ours.html_url})`);

    // The next push: tiny-b's job left no result this time.
    await downloadedResults(results, ['tiny-a']);
    const second = await comment({ results, champions: path.join(runner, 'nothing.json') });
    expect(second.code).toBe(0);
    const after = api.comments.get('acme/shop#7')!;
    expect(after).toHaveLength(2);
    expect(after[1]!.id).toBe(ours.id);
    expect(second.outputs['comment-id']).toBe(String(ours.id));
    expect(after[1]!.body).toContain('| `tiny-b` | ⚠️ no result | – | – | – | – |');
    expect(after[1]!.body).toContain('No champion metrics yet');
    expect(api.requests.filter((r) => r.startsWith('PATCH'))).toEqual([
      `PATCH /repos/acme/shop/issues/comments/${ours.id}`,
    ]);
    expect(api.requests.filter((r) => r.startsWith('POST'))).toHaveLength(1);
  });

  it('says when no model was affected', async () => {
    const run = await comment({ results: path.join(runner, 'not-downloaded'), models: '' });
    expect(run.code).toBe(0);
    expect(api.comments.get('acme/shop#7')![1]!.body).toContain(
      'No model is affected by this change, so none was validated.',
    );
  });

  it('warns and passes when the token may not comment (a pull request from a fork)', async () => {
    const before = JSON.stringify(api.comments.get('acme/shop#7'));
    const run = await comment({ results: path.join(runner, 'mlops-validation') }, 'read-only');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('::warning::Could not comment on pull request #7');
    expect(run.outputs).toEqual({ 'comment-id': '', 'comment-url': '' });
    expect(JSON.stringify(api.comments.get('acme/shop#7'))).toBe(before);
  });
});
