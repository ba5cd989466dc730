import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Platform } from '@mlops/platform';
import { openAzurePlatform, signIn } from '@mlops/platform/azureml';
import { startArmEmulator, type ArmEmulator } from './arm-emulator/index.js';

/*
 * The Azure ML backend (the real ARM, storage and identity SDKs) against the
 * in-process ARM emulator: the client's pipeline, bearer policy, retries and
 * pollers all run; only the socket is replaced.
 */

const TENANT = '8d3a0f4e-0000-4000-8000-000000000001';
const SUB = '8d3a0f4e-0000-4000-8000-0000000000aa';
const RG = 'rg-forecast';

let emu: ArmEmulator;
let scratch: string;

beforeAll(async () => {
  emu = await startArmEmulator({
    tenantId: TENANT,
    workspaces: [
      { subscriptionId: SUB, resourceGroup: RG, name: 'mlw-dev' },
      { subscriptionId: SUB, resourceGroup: RG, name: 'mlw-prod' },
    ],
    clients: [
      {
        clientId: 'ci',
        secret: 'ci-secret-value',
        subject: 'repo:acme/forecast:ref:refs/heads/main',
      },
      { clientId: 'dev-only', scopes: ['mlw-dev'] },
    ],
    stepMs: 5,
  });
  scratch = await mkdtemp(path.join(os.tmpdir(), 'azureml-backend-'));
});

afterAll(async () => {
  await emu?.close();
});

beforeEach(() => {
  emu.faults.clear();
});

function open(workspace = 'mlw-dev', clientId = 'ci'): Platform {
  return openAzurePlatform({
    environment: workspace === 'mlw-dev' ? 'dev' : 'prod',
    subscriptionId: SUB,
    resourceGroup: RG,
    workspace,
    credential: {
      getToken: () =>
        Promise.resolve({
          token: emu.issueToken(clientId),
          expiresOnTimestamp: Date.now() + 3600_000,
        }),
    },
    clientId,
    compute: 'cpu-cluster',
    jobEnvironment: 'azureml:mlops-python:1',
    cacheDir: path.join(scratch, 'cache', workspace),
    pollMs: 10,
    httpClient: emu.httpClient,
    storageHttpClient: emu.httpClient as never,
  });
}

async function folder(name: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(scratch, name);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  return dir;
}

const blobPuts = () =>
  emu.requests.filter((r) => r.service === 'blob' && r.method === 'PUT').length;

describe('azureml registry', () => {
  it('uploads once per content, creates the container, and finds a version again by digest', async () => {
    const platform = open();
    const source = await folder('model-a', { 'model.json': '{"w":1}', 'sub/extra.txt': 'x' });
    const first = await platform.registry.register({
      name: 'demand-a',
      sourceDir: source,
      contentDigest: 'sha256:aaaa',
      tags: { stage: 'candidate', git_sha: 'abc' },
      properties: { manifest_digest: 'm1' },
    });
    expect(first.created).toBe(true);
    expect(first.version).toMatchObject({
      name: 'demand-a',
      version: 1,
      tags: { stage: 'candidate', git_sha: 'abc', content_digest: 'sha256:aaaa' },
      properties: { manifest_digest: 'm1' },
    });
    expect(first.version.path).toMatch(
      /^azureml:\/\/subscriptions\/.+\/datastores\/workspaceblobstore\/paths\/LocalUpload\/aaaa\/$/,
    );
    const { accountName, containerName } = emu.state.datastore('mlw-dev');
    expect(emu.state.blobs(accountName, containerName, 'LocalUpload/aaaa/')).toEqual([
      'LocalUpload/aaaa/model.json',
      'LocalUpload/aaaa/sub/extra.txt',
    ]);

    const puts = blobPuts();
    const again = await platform.registry.register({
      name: 'demand-a',
      sourceDir: source,
      contentDigest: 'sha256:aaaa',
      tags: {},
      properties: {},
    });
    expect(again).toMatchObject({ created: false, version: { version: 1 } });
    expect(blobPuts()).toBe(puts);

    const other = await folder('model-a2', { 'model.json': '{"w":2}' });
    const second = await platform.registry.register({
      name: 'demand-a',
      sourceDir: other,
      contentDigest: 'sha256:bbbb',
      tags: { stage: 'candidate' },
      properties: {},
    });
    expect(second.version.version).toBe(2);
    expect((await platform.registry.list('demand-a')).map((v) => v.version)).toEqual([1, 2]);
    expect(
      (await platform.registry.list('demand-a', { tags: { content_digest: 'sha256:bbbb' } })).map(
        (v) => v.version,
      ),
    ).toEqual([2]);
    expect(await platform.registry.names()).toContain('demand-a');
    expect(await platform.registry.get({ name: 'demand-a', version: 9 })).toBeUndefined();

    const downloaded = await platform.registry.download(first.version);
    expect(await readFile(path.join(downloaded, 'sub/extra.txt'), 'utf8')).toBe('x');
  });

  it('gives two writers racing for a version number one each (409, then the next number)', async () => {
    const [a, b] = [open(), open()];
    const results = await Promise.all(
      ['c1', 'c2', 'c3'].map((digest, i) =>
        (i % 2 ? a : b).registry.register({
          name: 'demand-race',
          sourceDir: path.join(scratch, 'model-a'),
          contentDigest: `sha256:${digest}`,
          tags: {},
          properties: {},
        }),
      ),
    );
    expect(results.map((r) => r.version.version).sort()).toEqual([1, 2, 3]);
    expect(emu.state.modelVersions('mlw-dev', 'demand-race')).toHaveLength(3);
  });

  it('moves tags on several versions, and puts back the ones it changed when one fails', async () => {
    const platform = open();
    await platform.registry.setTags([
      { name: 'demand-a', version: 1, tags: { stage: 'champion' } },
      { name: 'demand-a', version: 2, tags: { stage: null } },
    ]);
    expect((await platform.registry.get({ name: 'demand-a', version: 1 }))?.tags.stage).toBe(
      'champion',
    );
    expect(
      (await platform.registry.get({ name: 'demand-a', version: 2 }))?.tags.stage,
    ).toBeUndefined();
    emu.faults.add({
      method: 'PUT',
      path: /\/models\/demand-a\/versions\/2$/,
      kind: 'status',
      status: 400,
    });
    await expect(
      platform.registry.setTags([
        { name: 'demand-a', version: 1, tags: { stage: 'archived' } },
        { name: 'demand-a', version: 2, tags: { stage: 'champion' } },
      ]),
    ).rejects.toThrow(/^changing model tags in workspace mlw-dev .* failed: /);
    expect((await platform.registry.get({ name: 'demand-a', version: 1 }))?.tags.stage).toBe(
      'champion',
    );
  });
});

describe('azureml ledger', () => {
  it('chains events as versions of a data asset, also with two writers', async () => {
    const [a, b] = [open('mlw-prod'), open('mlw-prod')];
    const entry = (reason: string) => ({
      kind: 'register' as const,
      model: { name: 'demand-a', version: 1 },
      actor: 'octocat',
      reason,
      details: {},
    });
    await a.ledger.append(entry('first'));
    await Promise.all([a.ledger.append(entry('a')), b.ledger.append(entry('b'))]);
    await b.ledger.append({ ...entry('other model'), model: { name: 'demand-b', version: 1 } });
    const events = await a.ledger.list();
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect((await a.ledger.list({ model: 'demand-b' })).map((e) => e.reason)).toEqual([
      'other model',
    ]);
    expect(await b.ledger.verify()).toEqual({ ok: true, events: 4, problems: [] });
  });
});

describe('azureml jobs', () => {
  const code = () =>
    folder('job-code', {
      'run.sh':
        'cp "$MLOPS_DATA_DIR/in.txt" "$MLOPS_OUTPUT_DIR/out.txt"\necho "$GREETING" >> "$MLOPS_OUTPUT_DIR/out.txt"\n',
    });

  it('uploads code and inputs, runs on the compute, and downloads the output when done', async () => {
    const platform = open();
    const data = await folder('job-data', { 'in.txt': 'rows\n' });
    const outputDir = path.join(scratch, 'job-out');
    const states: string[] = [];
    const job = await platform.jobs.submit({
      name: 'train demand-a',
      command: 'bash run.sh',
      codeDir: await code(),
      env: { GREETING: 'hello' },
      inputs: { MLOPS_DATA_DIR: data },
      outputDir,
      model: { name: 'demand-a', version: 1 },
    });
    expect(job.state).toBe('queued');
    expect(job.url).toMatch(/^https:\/\/ml\.azure\.com\/runs\//);
    const done = await platform.jobs.wait(job.id, {
      timeoutMs: 30_000,
      onState: (j) => states.push(j.state),
    });
    expect(done.state).toBe('succeeded');
    expect(states.at(-1)).toBe('succeeded');
    expect(await readFile(path.join(outputDir, 'out.txt'), 'utf8')).toBe('rows\nhello\n');
    const submitted = emu.state.job('mlw-dev', job.id)!;
    // The runner's own environment never travels with the job.
    expect(Object.keys(submitted.properties.environmentVariables as object)).toEqual(['GREETING']);
  });

  it('reports a failed job with its last log line and link, and a timeout as canceled', async () => {
    const platform = open();
    const failing = await platform.jobs.submit({
      name: 'train demand-b',
      command: 'echo "ValueError: no rows for demand-b" >&2; exit 2',
      codeDir: await code(),
      env: {},
      inputs: {},
      outputDir: path.join(scratch, 'fail-out'),
    });
    const failed = await platform.jobs.wait(failing.id, { timeoutMs: 30_000 });
    expect(failed.state).toBe('failed');
    expect(failed.message).toMatch(
      /^Failed: ValueError: no rows for demand-b \(see https:\/\/ml\.azure\.com\/runs\//,
    );

    const slow = await platform.jobs.submit({
      name: 'train demand-c',
      command: 'sleep 30',
      codeDir: await code(),
      env: {},
      inputs: {},
      outputDir: path.join(scratch, 'slow-out'),
    });
    const timedOut = await platform.jobs.wait(slow.id, { timeoutMs: 300 });
    expect(timedOut).toMatchObject({
      state: 'timed-out',
      message: 'no result after 0 s: job canceled',
    });
    expect((await platform.jobs.get(slow.id))?.state).toMatch(/^(running|canceled)$/);
  });

  it('reports a job the platform fails or cancels as such', async () => {
    const platform = open();
    for (const [kind, state] of [
      ['job-failed', 'failed'],
      ['job-canceled', 'canceled'],
    ] as const) {
      emu.faults.add({ path: /train demand-f/, kind, message: 'compute node lost' } as never);
      const job = await platform.jobs.submit({
        name: 'train demand-f',
        command: 'true',
        codeDir: await code(),
        env: {},
        inputs: {},
        outputDir: path.join(scratch, `f-${kind}`),
      });
      expect((await platform.jobs.wait(job.id, { timeoutMs: 30_000 })).state).toBe(state);
    }
  });
});

describe('azureml batch pipelines and online endpoints', () => {
  const SCORE = 'python3 score.py';
  let version: { name: string; version: number };

  beforeAll(async () => {
    const platform = open();
    const model = await folder('score-model', { 'model.json': '{"value": 7}' });
    version = (
      await platform.registry.register({
        name: 'demand-mountain-west-small-slow',
        sourceDir: model,
        contentDigest: 'sha256:score1',
        tags: {},
        properties: {},
      })
    ).version;
  });

  const scoreCode = () =>
    folder('score-code', {
      'score.py': [
        'import csv, json, os',
        'value = json.load(open(os.path.join(os.environ["MLOPS_MODEL_DIR"], "model.json")))["value"]',
        'rows = list(csv.DictReader(open(os.path.join(os.environ["MLOPS_DATA_DIR"], "score.csv"))))',
        'with open(os.path.join(os.environ["MLOPS_OUTPUT_DIR"], "predictions.csv"), "w") as out:',
        '    out.write("shop,prediction\\n")',
        '    for row in rows: out.write(f"{row[\'shop\']},{value}\\n")',
        '',
      ].join('\n'),
    });

  it('publishes a batch endpoint once, runs it, and downloads the predictions', async () => {
    const platform = open();
    const input = await folder('batch-input', { 'score.csv': 'shop,week\na0,1\na1,1\n' });
    const definition = {
      name: 'demand-mountain-west-small-slow-batch',
      model: version,
      command: SCORE,
      codeDir: await scoreCode(),
      input,
      output: path.join(scratch, 'batch-out'),
      env: { MLOPS_STAGE: 'batch' },
    };
    const first = await platform.pipelines.createOrUpdate(definition);
    expect(first).toMatchObject({ changed: true, pipeline: { revision: 1 } });
    const again = await platform.pipelines.createOrUpdate(definition);
    expect(again).toMatchObject({ changed: false, pipeline: { revision: 1, command: SCORE } });
    const endpoints = emu.state.endpoints('mlw-dev', 'batch').map((e) => e.name);
    expect(endpoints).toEqual(['demand-mountain-west-sm-' + endpoints[0]!.slice(-8)]);
    expect(endpoints[0]!.length).toBeLessThanOrEqual(32);

    const run = await platform.pipelines.trigger(definition.name);
    const done = await platform.pipelines.waitRun(run.id, { timeoutMs: 60_000 });
    expect(done.state).toBe('succeeded');
    expect(await readFile(path.join(done.output, 'predictions.csv'), 'utf8')).toBe(
      'shop,prediction\na0,7\na1,7\n',
    );
    expect((await platform.pipelines.runs(definition.name)).map((r) => r.id)).toEqual([run.id]);

    // Re-pointing a pipeline as read back (promotion does this) keeps its code.
    const stored = (await platform.pipelines.get(definition.name))!;
    expect(stored.codeDir).toMatch(/\/codes\/mlops-code\/versions\/[0-9a-f]{16}$/);
    const repointed = await platform.pipelines.createOrUpdate({
      ...stored,
      env: { MLOPS_STAGE: 'x' },
    });
    expect(repointed).toMatchObject({
      changed: true,
      pipeline: { revision: 2, codeDir: stored.codeDir },
    });
  });

  it('deploys online at 0 %, answers on the named deployment, then takes the traffic', async () => {
    const platform = open();
    const deployed = await platform.endpoints.deploy({
      name: 'demand-mountain-west-small-slow-online',
      model: version,
      command: SCORE,
      codeDir: await scoreCode(),
      env: {},
    });
    expect(deployed).toMatchObject({ deployment: 'v1', changed: true, endpoint: { traffic: {} } });
    const answer = await platform.endpoints.invoke(
      'demand-mountain-west-small-slow-online',
      'v1',
      'shop,week\nb0,3\n',
    );
    expect(answer).toBe('shop,prediction\nb0,7\n');
    const served = await platform.endpoints.setTraffic('demand-mountain-west-small-slow-online', {
      v1: 100,
    });
    expect(served.traffic).toEqual({ v1: 100 });
    await expect(
      platform.endpoints.setTraffic('demand-mountain-west-small-slow-online', { v2: 100 }),
    ).rejects.toThrow(
      'endpoint demand-mountain-west-small-slow-online has no deployment v2: deploy it first (deployments: v1)',
    );
  });

  it('fails clearly when a long-running operation ends Failed, and converges on a re-run', async () => {
    const platform = open();
    const definition = {
      name: 'demand-lro-batch',
      model: version,
      command: SCORE,
      codeDir: await scoreCode(),
      input: path.join(scratch, 'batch-input'),
      output: path.join(scratch, 'lro-out'),
      env: {},
    };
    emu.faults.add({
      path: /batchEndpoints\/demand-lro-batch\/deployments\//,
      kind: 'lro-failed',
      message: 'quota exceeded for cpu-cluster',
    });
    await expect(platform.pipelines.createOrUpdate(definition)).rejects.toThrow(
      /^deploying demand-mountain-west-small-slow v1 in workspace mlw-dev .* failed: .*quota exceeded for cpu-cluster/,
    );
    const rerun = await platform.pipelines.createOrUpdate(definition);
    expect(rerun.changed).toBe(true);
    expect(
      emu.state.endpoints('mlw-dev', 'batch').filter((e) => e.name === 'demand-lro-batch'),
    ).toHaveLength(1);
  });
});

describe('azureml faults and errors', () => {
  const register = (platform: Platform, digest: string) =>
    platform.registry.register({
      name: 'demand-faults',
      sourceDir: path.join(scratch, 'model-a'),
      contentDigest: `sha256:${digest}`,
      tags: {},
      properties: {},
    });

  it('retries 429 with Retry-After, 503, 500 and a reset, and registers once', async () => {
    const platform = open();
    emu.faults.add({
      method: 'PUT',
      path: /\/models\/demand-faults\/versions\//,
      kind: 'status',
      status: 429,
      retryAfter: 0,
    });
    emu.faults.add({
      method: 'GET',
      path: /\/models\/demand-faults$/,
      kind: 'status',
      status: 503,
    });
    emu.faults.add({
      method: 'GET',
      path: /\/models\/demand-faults\/versions$/,
      kind: 'status',
      status: 500,
    });
    emu.faults.add({ method: 'PUT', path: /\/models\/demand-faults$/, kind: 'reset' });
    const { version } = await register(platform, 'f1');
    expect(version.version).toBe(1);
    expect(emu.state.modelVersions('mlw-dev', 'demand-faults')).toHaveLength(1);
  });

  it('stops on 429 without Retry-After with one line, and a re-run converges without duplicates', async () => {
    const platform = open();
    emu.faults.add({
      method: 'PUT',
      path: /\/models\/demand-faults\/versions\//,
      kind: 'status',
      status: 429,
    });
    await expect(register(platform, 'f2')).rejects.toThrow(
      /^registering demand-faults version 2 in workspace mlw-dev \(resource group rg-forecast, subscription .+\) failed: /,
    );
    expect((await register(platform, 'f2')).version.version).toBe(2);
    expect((await register(platform, 'f2')).created).toBe(false);
    expect(emu.state.modelVersions('mlw-dev', 'demand-faults')).toHaveLength(2);
  });

  it('names the missing role when the identity may not write, and a missing workspace', async () => {
    await expect(register(open('mlw-prod', 'dev-only'), 'f3')).rejects.toThrow(
      'environment "prod": identity dev-only has no access to workspace mlw-prod (resource group rg-forecast, subscription 8d3a0f4e-0000-4000-8000-0000000000aa) (listing the versions of demand-faults): give it the "AzureML Data Scientist" role on the workspace',
    );
    await expect(register(open('mlw-nope'), 'f3')).rejects.toThrow(
      'environment "prod": workspace mlw-nope (resource group rg-forecast, subscription 8d3a0f4e-0000-4000-8000-0000000000aa) does not exist: check subscription-id, resource-group and workspace in mlops.yaml',
    );
  });
});

describe('azureml sign-in', () => {
  const getToken = (options: Partial<Parameters<typeof signIn>[0]>) =>
    signIn({
      subject: 'environment "dev"',
      auth: 'oidc',
      tenantId: TENANT,
      clientId: 'ci',
      httpClient: emu.httpClient,
      idToken: async (audience) => {
        const response = await fetchOidc(audience);
        return response;
      },
      ...options,
    }).getToken('https://management.azure.com/.default');

  async function fetchOidc(audience: string): Promise<string> {
    const { createPipelineRequest } = await import('@azure/core-rest-pipeline');
    const request = createPipelineRequest({ url: `${emu.oidc.requestUrl}&audience=${audience}` });
    request.headers.set('Authorization', `Bearer ${emu.oidc.requestToken}`);
    const response = await emu.httpClient.sendRequest(request);
    return (JSON.parse(response.bodyAsText ?? '{}') as { value: string }).value;
  }

  it('exchanges a fresh GitHub ID token for an Azure token (OIDC federation)', async () => {
    emu.oidc.subject = 'repo:acme/forecast:ref:refs/heads/main';
    const token = await getToken({});
    expect(token?.token).toBeTruthy();
  });

  it('says what to fix for a missing id-token permission, a wrong tenant, an unknown client, a foreign subject', async () => {
    expect(() =>
      signIn({ subject: 'environment "dev"', auth: 'oidc', tenantId: TENANT, clientId: 'ci' }),
    ).toThrow(
      'environment "dev" signs in with GitHub OIDC, but this job cannot get an ID token: add "permissions: id-token: write" to the job (or set auth: secret or auth: cli)',
    );
    await expect(getToken({ tenantId: '00000000-0000-4000-8000-00000000dead' })).rejects.toThrow(
      /^sign-in for environment "dev" \(tenant 00000000-0000-4000-8000-00000000dead, client ci\) failed: tenant 00000000-0000-4000-8000-00000000dead does not exist: check tenant-id/,
    );
    await expect(getToken({ clientId: 'nobody' })).rejects.toThrow(
      /failed: no application nobody in tenant .*: check client-id and tenant-id$/,
    );
    emu.oidc.subject = 'repo:mallory/fork:pull_request';
    await expect(getToken({})).rejects.toThrow(
      /failed: no federated credential of the application matches this workflow's OIDC subject: add one/,
    );
    emu.oidc.subject = 'repo:acme/forecast:ref:refs/heads/main';
  });

  it('signs in with a client secret, and says so when it is wrong', async () => {
    expect(
      (await getToken({ auth: 'secret', clientSecret: 'ci-secret-value' }))?.token,
    ).toBeTruthy();
    await expect(getToken({ auth: 'secret', clientSecret: 'wrong' })).rejects.toThrow(
      /failed: the client secret is wrong or expired: renew it and update the AZURE_CLIENT_SECRET secret$/,
    );
  });
});
