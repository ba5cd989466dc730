import { describe, expect, it } from 'vitest';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { executeWorkflow } from './workflows/executor.js';
import { expandMatrix } from './workflows/matrix.js';
import { tempDir } from './support/project.js';

const CHECKOUT = 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683';
const UPLOAD = 'actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02';
const DOWNLOAD = 'actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093';

async function workspaceWith(files: Record<string, string>): Promise<string> {
  const dir = await tempDir('mlops-executor-');
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

/*
 * The local workflow executor on small workflows of run: steps: the parts of
 * the runner the template runs rely on.
 */
describe('the workflow executor', () => {
  it('runs jobs in needs order with outputs, a fromJSON matrix, env, GITHUB_ENV and status functions', async () => {
    const workspace = await workspaceWith({
      '.github/workflows/flow.yml': `
on:
  workflow_dispatch:
    inputs:
      who: { type: string, default: nobody }
      loud: { type: boolean, default: false }
env:
  GREETING: hello
jobs:
  plan:
    runs-on: ubuntu-24.04
    outputs:
      matrix: \${{ steps.p.outputs.matrix }}
    steps:
      - uses: ${CHECKOUT}
      - id: p
        run: echo 'matrix={"include":[{"models":"a,b"},{"models":"c"}]}' >> "$GITHUB_OUTPUT"
  models:
    needs: plan
    strategy:
      matrix: \${{ fromJSON(needs.plan.outputs.matrix) }}
    runs-on: ubuntu-24.04
    steps:
      - run: echo "STAGE=pr" >> "$GITHUB_ENV"
      - env:
          WHO: \${{ inputs.who }}
          MODELS: \${{ matrix.models }}
        run: echo "$GREETING $WHO $STAGE $MODELS \${{ strategy.job-index }}" > "out-\${{ strategy.job-index }}.txt"
      - if: inputs.loud
        run: echo never
  broken:
    needs: plan
    runs-on: ubuntu-24.04
    steps:
      - run: exit 3
      - run: echo never
      - id: after
        if: failure()
        run: echo "seen=yes" >> "$GITHUB_OUTPUT"
  skipped:
    needs: broken
    runs-on: ubuntu-24.04
    steps:
      - run: echo never
  report:
    needs: [models, broken]
    if: always() && contains(needs.*.result, 'failure')
    runs-on: ubuntu-24.04
    steps:
      - run: echo "\${{ format('{0}/{1}', needs.models.result, needs.broken.result) }}"
`,
    });
    const run = await executeWorkflow(path.join(workspace, '.github/workflows/flow.yml'), {
      workspace,
      event: { name: 'workflow_dispatch' },
      inputs: { who: 'ana' },
    });
    const results = Object.fromEntries(run.jobs.map((j) => [j.name, j.result]));
    expect(results).toEqual({
      plan: 'success',
      'models (a,b)': 'success',
      'models (c)': 'success',
      broken: 'failure',
      skipped: 'skipped',
      report: 'success',
    });
    expect(run.conclusion).toBe('failure');
    expect(await readFile(path.join(workspace, 'out-0.txt'), 'utf8')).toBe('hello ana pr a,b 0\n');
    expect(await readFile(path.join(workspace, 'out-1.txt'), 'utf8')).toBe('hello ana pr c 1\n');
    const broken = run.jobs.find((j) => j.name === 'broken')!;
    expect(broken.steps.map((s) => s.outcome)).toEqual(['failure', 'skipped', 'success']);
    expect(run.jobs.find((j) => j.name === 'report')!.steps[0]!.stdout).toBe('success/failure\n');
    expect(run.log).toContain(`[plan] step 1 skipped ${CHECKOUT}: the workspace is the project`);
  });

  it('calls a reusable workflow with typed inputs and returns its outputs; stubs artifacts by name', async () => {
    const workspace = await workspaceWith({
      'data/a.txt': 'A',
      'data/sub/b.txt': 'B',
      '.github/workflows/called.yml': `
on:
  workflow_call:
    inputs:
      environment: { type: string, required: true }
      force: { type: boolean, default: false }
    outputs:
      said:
        value: \${{ jobs.inner.outputs.said }}
jobs:
  inner:
    runs-on: ubuntu-24.04
    environment: \${{ inputs.environment }}
    permissions: { contents: read, id-token: write }
    outputs:
      said: \${{ steps.s.outputs.said }}
    steps:
      - uses: ${UPLOAD}
        with: { name: data, path: data }
      - uses: ${DOWNLOAD}
        with: { name: data, path: copy }
      - id: s
        run: echo "said=\${{ inputs.environment }}-\${{ inputs.force }}-$(cat copy/sub/b.txt)" >> "$GITHUB_OUTPUT"
`,
      '.github/workflows/caller.yml': `
on: push
jobs:
  call:
    uses: ./.github/workflows/called.yml
    with:
      environment: prod
      force: true
  after:
    needs: call
    runs-on: ubuntu-24.04
    steps:
      - run: echo "\${{ needs.call.outputs.said }}"
`,
    });
    const run = await executeWorkflow(path.join(workspace, '.github/workflows/caller.yml'), {
      workspace,
      event: { name: 'push', payload: { ref: 'refs/heads/main' } },
    });
    expect(run.conclusion).toBe('success');
    const inner = run.jobs.find((j) => j.path === 'call/inner')!;
    expect(inner.environment).toBe('prod');
    expect(inner.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(run.jobs.find((j) => j.path === 'after')!.steps[0]!.stdout).toBe('prod-true-B\n');
    expect(run.log.join('\n')).toMatch(
      /stubbed actions\/upload-artifact@\w{40}: copied 2 file\(s\) into artifact data/,
    );
    expect(run.log.join('\n')).toMatch(
      /stubbed actions\/download-artifact@\w{40}: copied artifact\(s\) data into/,
    );
  });

  it('refuses inputs a reusable workflow does not declare', async () => {
    const workspace = await workspaceWith({
      '.github/workflows/called.yml':
        'on:\n  workflow_call:\n    inputs: {}\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: "true"\n',
      '.github/workflows/caller.yml':
        'on: push\njobs:\n  c:\n    uses: ./.github/workflows/called.yml\n    with: { nope: 1 }\n',
    });
    await expect(
      executeWorkflow(path.join(workspace, '.github/workflows/caller.yml'), {
        workspace,
        event: { name: 'push' },
      }),
    ).rejects.toThrow(/input nope is not defined/);
  });

  it('expands matrices as GitHub does: product, exclude, include', () => {
    expect(
      expandMatrix({
        os: ['l', 'w'],
        v: [1, 2],
        exclude: [{ os: 'w', v: 1 }],
        include: [
          { os: 'l', extra: 'x' },
          { os: 'm', v: 3 },
        ],
      }),
    ).toEqual([
      { os: 'l', v: 1, extra: 'x' },
      { os: 'l', v: 2, extra: 'x' },
      { os: 'w', v: 2 },
      { os: 'm', v: 3 },
    ]);
    expect(expandMatrix({ include: [{ models: 'a' }] })).toEqual([{ models: 'a' }]);
  });
});
