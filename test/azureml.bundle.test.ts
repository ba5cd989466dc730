import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArmEmulator } from './arm-emulator/index.js';
import { azureEnvironments, azureRunnerEnv, startAzure } from './support/azure.js';
import { runBundle, type BundleRun } from './support/bundle.js';
import { tinyProject } from './support/project.js';

/*
 * The delivery actions through their bundles with dev and prod as two Azure
 * ML workspaces of the ARM emulator (TLS on 127.0.0.1): GitHub OIDC sign-in,
 * uploads to the workspace storage, model versions, batch and online
 * endpoints, cross-workspace promotion. Nothing here knows it is not Azure
 * except the endpoints in mlops.yaml and the CA the runner trusts.
 */

let emu: ArmEmulator;
let project: string;
const runs: BundleRun[] = [];

beforeAll(async () => {
  emu = await startAzure();
  project = await tinyProject({
    git: true,
    config: (t) => t.replace(/^environments:[\s\S]*$/m, azureEnvironments(emu)),
  });
});

afterAll(async () => {
  await emu?.close();
});

async function step(bundle: string, inputs: Record<string, string>, ok = true): Promise<BundleRun> {
  const run = await runBundle(bundle, inputs, { workspace: project, env: azureRunnerEnv(emu) });
  runs.push(run);
  if (ok) {
    expect(run.stdout, `${bundle}: ${run.stdout}`).not.toContain('::error::');
    expect(run.code, bundle).toBe(0);
  }
  return run;
}

describe('the delivery actions on Azure ML (emulated)', () => {
  it(
    'registers in dev, scores there, registers in prod, promotes and releases online',
    { timeout: 240_000 },
    async () => {
      await step('basic-model-validate', { stage: 'main' });
      const packaged = await step('package-artifacts', {});
      const artifact = packaged.outputs['artifact-name']!;

      const dev = await step('register-model', { environment: 'dev', artifact });
      expect(dev.outputs['model-version']).toBe('1,1');
      expect(dev.outputs['model-id']).toMatch(
        /^\/subscriptions\/.+\/workspaces\/mlw-dev\/models\/tiny-a\/versions\/1,/,
      );
      const devAgain = await step('register-model', { environment: 'dev', artifact });
      expect(devAgain.outputs.created).toBe('false,false');
      expect(emu.state.modelVersions('mlw-dev', 'tiny-a')).toHaveLength(1);

      const scored = await step('publish-scoring-pipeline', {
        environment: 'dev',
        version: 'latest',
        trigger: 'true',
      });
      expect(scored.outputs['rows-scored']).toBe('4,4');
      const [predictions] = scored.outputs.predictions!.split(',');
      expect(
        (await readFile(path.join(predictions!, 'predictions.csv'), 'utf8')).split('\n')[0],
      ).toBe('shop,week,prediction');
      expect(emu.state.endpoints('mlw-dev', 'batch').map((e) => e.name)).toEqual([
        'tiny-a-batch',
        'tiny-b-batch',
      ]);

      // Promotion copies the dev version into prod: files re-uploaded, lineage kept.
      const promoted = await step('promote-release', {
        environment: 'prod',
        'from-environment': 'dev',
        version: 'latest',
      });
      expect(promoted.outputs.decision).toBe('promoted,promoted');
      const [prodVersion] = emu.state.modelVersions('mlw-prod', 'tiny-a');
      expect(prodVersion?.properties).toMatchObject({
        tags: { stage: 'champion', source_environment: 'dev' },
        properties: {
          source_id: expect.stringMatching(/\/workspaces\/mlw-dev\/models\/tiny-a\/versions\/1$/),
        },
      });

      const online = await step('publish-scoring-pipeline', {
        environment: 'prod',
        mode: 'online',
        version: 'champion',
      });
      expect(online.outputs).toMatchObject({
        endpoint: 'tiny-a-online,tiny-b-online',
        deployment: 'v1,v1',
      });
      expect(online.summary).toContain(
        '| `tiny-a` | 1 | tiny-a-online | ✅ v1 (100 %) | 4 rows | – |',
      );
      const [endpoint] = emu.state.endpoints('mlw-prod', 'online');
      expect(endpoint?.properties).toMatchObject({ traffic: { v1: 100 } });
    },
  );

  it('converges on a re-run after registering stopped between the version and its ledger event', async () => {
    await mkdir(path.join(project, 'retrained'), { recursive: true });
    await writeFile(path.join(project, 'retrained/model.json'), '{"means": {"b0": 6, "b1": 39}}');
    const inputs = {
      environment: 'prod',
      'model-dir': 'retrained',
      models: 'tiny-b',
      force: 'true',
    };
    const ledgerDown = emu.faults.add({
      method: 'PUT',
      path: '/data/mlops-ledger/versions/',
      kind: 'status',
      status: 500,
      times: Infinity,
    });
    const failed = await step('register-model', inputs, false);
    ledgerDown.remove();
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(
      /::error::Register model stopped on an unexpected error: appending ledger event \d+ in workspace mlw-prod \(resource group rg-forecast, subscription [^)]+\) failed: /,
    );
    const rerun = await step('register-model', inputs);
    expect(rerun.outputs).toMatchObject({ created: 'false', 'model-version': '2' });
    expect(emu.state.modelVersions('mlw-prod', 'tiny-b')).toHaveLength(2);
    const events = emu.state
      .versions('mlw-prod', 'data', 'mlops-ledger')
      .map(
        (v) =>
          JSON.parse(v.properties.description as string) as {
            kind: string;
            model?: { name: string };
          },
      )
      .filter((e) => e.model?.name === 'tiny-b' && e.kind === 'force');
    expect(events).toHaveLength(1);
  });

  it('fails with one line naming the fix when the job may not request an OIDC token', async () => {
    const run = await runBundle(
      'register-model',
      { environment: 'dev' },
      { workspace: project, env: { NODE_EXTRA_CA_CERTS: emu.caFile ?? '' } },
    );
    runs.push(run);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '::error::environment "dev" signs in with GitHub OIDC, but this job cannot get an ID token: add "permissions: id-token: write" to the job (or set auth: secret or auth: cli)',
    );
  });

  it('never shows a token, key or signature in logs, outputs or summaries', () => {
    const all = runs.map((r) =>
      [r.stdout, r.stderr, r.summary, JSON.stringify(r.outputs)].join('\n'),
    );
    // The runner takes ::add-mask:: commands out of the log and hides those values everywhere.
    const masked = new Set(all.join('\n').match(/(?<=^::add-mask::).+$/gm) ?? []);
    const shown = all.join('\n').replace(/^::add-mask::.+$/gm, '');
    const keys = ['mlw-dev', 'mlw-prod'].map((ws) => emu.state.datastore(ws).key);
    expect(runs.length).toBeGreaterThan(5);
    for (const key of keys) expect(masked).toContain(key);
    for (const secret of [...keys, emu.oidc.requestToken]) expect(shown).not.toContain(secret);
    expect(shown).not.toMatch(/eyJ[\w-]{8,}\.[\w-]{8,}/);
    expect(shown).not.toMatch(/[?&]sig=(?!REDACTED)/);
  });
});
