import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import type { TokenCredential } from '@azure/core-auth';
import { createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { ClientAssertionCredential, ClientSecretCredential } from '@azure/identity';
import {
  AnonymousCredential,
  BlobServiceClient,
  ContainerClient,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startArmEmulator, type ArmEmulator } from './index.js';

const TENANT = '11111111-2222-3333-4444-555555555555';
const SUB = '00000000-1111-2222-3333-444444444444';
const RG = 'rg-mlops';
const WS = 'mlw-dev';
const REGISTRY = 'shared-registry';
const WS_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.MachineLearningServices/workspaces/${WS}`;
const FAST_RETRY = { retryDelayInMs: 5, maxRetryDelayInMs: 20 };
const POLL = { updateIntervalInMs: 5 };

let emu: ArmEmulator;

function credentialFor(clientId: string): TokenCredential {
  return {
    getToken: () =>
      Promise.resolve({
        token: emu.issueToken(clientId),
        expiresOnTimestamp: Date.now() + 3600_000,
      }),
  };
}

function client(clientId = 'ci'): AzureMachineLearningWorkspaces {
  return new AzureMachineLearningWorkspaces(credentialFor(clientId), SUB, {
    httpClient: emu.httpClient,
    retryOptions: FAST_RETRY,
  });
}

async function collect<T>(iter: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iter) out.push(item);
  return out;
}

/** A raw ARM call through the SDK's pipeline (auth, retries), for bodies the models mangle. */
async function armSend(method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown) {
  const res = await client().sendRequest(
    createPipelineRequest({
      url: url.startsWith('/') ? `https://management.azure.com${url}` : url,
      method,
      headers: createHttpHeaders({ 'content-type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
  return {
    status: res.status,
    headers: res.headers,
    body: JSON.parse(res.bodyAsText || 'null') as Record<string, never>,
  };
}

async function waitForJob(name: string, ws = WS): Promise<string> {
  const ml = client();
  for (let i = 0; i < 500; i++) {
    const job = await ml.jobs.get(RG, ws, name);
    const status = job.properties.status ?? '';
    if (['Completed', 'Failed', 'Canceled'].includes(status)) return status;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`job ${name} did not finish`);
}

/** Uploads files through @azure/storage-blob with the key listSecrets returns. */
async function uploadFolder(
  prefix: string,
  files: Record<string, string>,
): Promise<ContainerClient> {
  const ml = client();
  const store = await ml.datastores.get(RG, WS, 'workspaceblobstore');
  const props = store.properties as { accountName: string; containerName: string };
  const secrets = (await ml.datastores.listSecrets(RG, WS, 'workspaceblobstore')) as {
    key: string;
  };
  const service = new BlobServiceClient(
    `https://${props.accountName}.blob.core.windows.net`,
    new StorageSharedKeyCredential(props.accountName, secrets.key),
    { httpClient: emu.httpClient as never, retryOptions: { retryDelayInMs: 5 } },
  );
  const container = service.getContainerClient(props.containerName);
  for (const [name, text] of Object.entries(files)) {
    await container.getBlockBlobClient(`${prefix}/${name}`).uploadData(Buffer.from(text));
  }
  return container;
}

beforeAll(async () => {
  emu = await startArmEmulator({
    tenantId: TENANT,
    workspaces: [
      { subscriptionId: SUB, resourceGroup: RG, name: WS },
      { subscriptionId: SUB, resourceGroup: RG, name: 'mlw-prod' },
    ],
    registries: [{ subscriptionId: SUB, resourceGroup: RG, name: REGISTRY }],
    clients: [
      { clientId: 'ci', secret: 's3cret', subject: 'repo:acme/forecast:environment:prod' },
      { clientId: 'dev-only', scopes: [WS] },
    ],
    stepMs: 5,
  });
});

afterAll(async () => {
  await emu.close();
});

describe('assets', () => {
  it('pages, filters and orders model versions through the SDK iterators', async () => {
    const ml = client();
    for (let v = 1; v <= 23; v++) {
      await ml.modelVersions.createOrUpdate(RG, WS, 'forecast', String(v), {
        properties: {
          modelUri: `azureml://datastores/workspaceblobstore/paths/models/forecast/${v}/`,
          modelType: 'custom_model',
          tags: v % 2 === 0 ? { stage: 'prod' } : { stage: 'dev' },
          properties: v === 7 ? { sha: 'abc' } : {},
        },
      });
    }
    const before = emu.requests.length;
    const all = await collect(ml.modelVersions.list(RG, WS, 'forecast'));
    expect(all).toHaveLength(23);
    expect(emu.requests.slice(before).filter((r) => r.service === 'arm')).toHaveLength(3);
    const prod = await collect(ml.modelVersions.list(RG, WS, 'forecast', { tags: 'stage=prod' }));
    expect(prod.map((v) => v.name)).toContain('22');
    expect(prod).toHaveLength(11);
    expect(
      await collect(ml.modelVersions.list(RG, WS, 'forecast', { properties: 'sha' })),
    ).toHaveLength(1);
    const latest = await collect(
      ml.modelVersions.list(RG, WS, 'forecast', { orderBy: 'createdtime desc', top: 1 }),
    );
    expect(latest.map((v) => v.name)).toEqual(['23']);
    const container = await ml.modelContainers.get(RG, WS, 'forecast');
    expect(container.properties).toMatchObject({ latestVersion: '23', nextVersion: '24' });
    expect(emu.state.modelVersions(WS, 'forecast')).toHaveLength(23);
  });

  it('refuses to change an immutable field and accepts a tag change', async () => {
    const ml = client();
    const body = {
      properties: {
        modelUri: 'azureml://datastores/workspaceblobstore/paths/a/',
        tags: { a: '1' },
      },
    };
    await ml.modelVersions.createOrUpdate(RG, WS, 'immutable', '1', body);
    await expect(
      ml.modelVersions.createOrUpdate(RG, WS, 'immutable', '1', {
        properties: { modelUri: 'azureml://datastores/workspaceblobstore/paths/b/' },
      }),
    ).rejects.toMatchObject({ statusCode: 409, message: expect.stringContaining('immutable') });
    const updated = await ml.modelVersions.createOrUpdate(RG, WS, 'immutable', '1', {
      properties: { ...body.properties, tags: { a: '2' } },
    });
    expect(updated.properties.tags).toEqual({ a: '2' });
    await expect(ml.modelVersions.get(RG, WS, 'immutable', '9')).rejects.toMatchObject({
      statusCode: 404,
    });
    await expect(
      ml.dataVersions.createOrUpdate(RG, WS, 'd', '1', {
        properties: {
          dataType: 'bogus' as never,
          dataUri: 'azureml://datastores/workspaceblobstore/paths/x/',
        },
      }),
    ).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining('dataType') });
  });
});

const SCORE_PY = `
import json, os
def init():
    global factor
    factor = float(open(os.path.join(os.environ["AZUREML_MODEL_DIR"], "factor.txt")).read())
def run(data):
    if isinstance(data, list):
        return [f"{os.path.basename(p)} {float(open(p).read()) * factor}" for p in data]
    payload = json.loads(data)
    return {"predictions": [x * factor for x in payload["data"]], "deployment": os.environ.get("DEPLOYMENT_COLOR")}
`;

/** A code version and a model version whose files live in the default datastore. */
async function registerScoringAssets(
  name: string,
  factor: string,
): Promise<{ codeId: string; modelId: string }> {
  await uploadFolder(`code/${name}`, { 'score.py': SCORE_PY });
  await uploadFolder(`models/${name}`, { 'factor.txt': factor });
  const ml = client();
  const code = await ml.codeVersions.createOrUpdate(RG, WS, `${name}-code`, '1', {
    properties: { codeUri: `azureml://datastores/workspaceblobstore/paths/code/${name}/` },
  });
  const model = await ml.modelVersions.createOrUpdate(RG, WS, name, '1', {
    properties: {
      modelUri: `azureml://datastores/workspaceblobstore/paths/models/${name}/`,
      modelType: 'custom_model',
    },
  });
  return { codeId: code.id ?? '', modelId: model.id ?? '' };
}

describe('endpoints', () => {
  it('creates a batch endpoint and deployment through LROs and invokes it', async () => {
    const ml = client();
    const { codeId, modelId } = await registerScoringAssets('doubler', '2');
    const endpoint = await ml.batchEndpoints.beginCreateOrUpdateAndWait(
      RG,
      WS,
      'forecast-batch',
      { location: 'westeurope', properties: { authMode: 'AADToken' } },
      POLL,
    );
    expect(endpoint.properties.provisioningState).toBe('Succeeded');
    expect(endpoint.properties.scoringUri).toBe(
      'https://forecast-batch.westeurope.inference.ml.azure.com/jobs',
    );
    const deployment = await ml.batchDeployments.beginCreateOrUpdateAndWait(
      RG,
      WS,
      'forecast-batch',
      'blue',
      {
        location: 'westeurope',
        properties: {
          model: { referenceType: 'Id', assetId: modelId } as never,
          codeConfiguration: { codeId, scoringScript: 'score.py' },
          environmentId: 'azureml://registries/azureml/environments/sklearn-1.5/labels/latest',
          compute: 'cpu-cluster',
          outputAction: 'AppendRow',
        },
      },
      POLL,
    );
    expect(deployment.properties.provisioningState).toBe('Succeeded');
    await ml.batchEndpoints.beginUpdateAndWait(
      RG,
      WS,
      'forecast-batch',
      { tags: { owner: 'mlops' } },
      POLL,
    );
    await ml.batchEndpoints.beginCreateOrUpdateAndWait(
      RG,
      WS,
      'forecast-batch',
      {
        location: 'westeurope',
        properties: { authMode: 'AADToken', defaults: { deploymentName: 'blue' } },
      },
      POLL,
    );
    await expect(
      ml.batchDeployments.beginCreateOrUpdateAndWait(RG, WS, 'forecast-batch', 'bad', {
        location: 'westeurope',
        properties: {
          model: { referenceType: 'Id', assetId: `${WS_ID}/models/nope/versions/1` } as never,
        },
      }),
    ).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining('model') });
    await expect(
      ml.batchEndpoints.beginCreateOrUpdateAndWait(RG, WS, '9bad_name', {
        location: 'westeurope',
        properties: { authMode: 'AADToken' },
      }),
    ).rejects.toMatchObject({ statusCode: 400 });

    await uploadFolder('inputs/batch1', { 'a.txt': '1.5', 'b.txt': '4' });
    const res = await emu.httpClient.sendRequest(
      createPipelineRequest({
        url: endpoint.properties.scoringUri ?? '',
        method: 'POST',
        headers: createHttpHeaders({
          authorization: `Bearer ${emu.issueToken('ci', 'https://ml.azure.com/.default')}`,
          'content-type': 'application/json',
        }),
        body: JSON.stringify({
          properties: {
            InputData: {
              data: {
                JobInputType: 'UriFolder',
                Uri: 'azureml://datastores/workspaceblobstore/paths/inputs/batch1/',
              },
            },
          },
        }),
      }),
    );
    expect(res.status).toBe(200);
    const job = JSON.parse(res.bodyAsText ?? '{}') as { name: string; id: string };
    expect(job.id).toBe(`${WS_ID}/jobs/${job.name}`);
    expect(await waitForJob(job.name)).toBe('Completed');
    const ds = emu.state.datastore(WS);
    const out = emu.state.blob(
      ds.accountName,
      ds.containerName,
      `azureml/${job.name}/score/predictions.csv`,
    );
    expect(out?.toString()).toBe('a.txt 3.0\nb.txt 8.0\n');
    await ml.batchEndpoints.beginDeleteAndWait(RG, WS, 'forecast-batch', POLL);
    expect(emu.state.endpoints(WS, 'batch')).toHaveLength(0);
  });

  it('routes online traffic blue/green and scores', async () => {
    const ml = client();
    const blue = await registerScoringAssets('blue-model', '10');
    const green = await registerScoringAssets('green-model', '100');
    await ml.onlineEndpoints.beginCreateOrUpdateAndWait(
      RG,
      WS,
      'forecast-online',
      { location: 'westeurope', properties: { authMode: 'Key' } },
      POLL,
    );
    for (const [name, assets] of [
      ['blue', blue],
      ['green', green],
    ] as const) {
      await ml.onlineDeployments.beginCreateOrUpdateAndWait(
        RG,
        WS,
        'forecast-online',
        name,
        {
          location: 'westeurope',
          properties: {
            endpointComputeType: 'Managed',
            model: assets.modelId,
            codeConfiguration: { codeId: assets.codeId, scoringScript: 'score.py' },
            environmentVariables: { DEPLOYMENT_COLOR: name },
            instanceType: 'Standard_DS3_v2',
          },
        },
        POLL,
      );
    }
    await expect(
      ml.onlineEndpoints.beginCreateOrUpdateAndWait(RG, WS, 'forecast-online', {
        location: 'westeurope',
        properties: { authMode: 'Key', traffic: { blue: 50, green: 40 } },
      }),
    ).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining('100') });
    const endpoint = await ml.onlineEndpoints.beginCreateOrUpdateAndWait(
      RG,
      WS,
      'forecast-online',
      { location: 'westeurope', properties: { authMode: 'Key', traffic: { blue: 0, green: 100 } } },
      POLL,
    );
    const keys = (await ml.onlineEndpoints.listKeys(RG, WS, 'forecast-online')) as {
      primaryKey: string;
    };
    const score = async (headers: Record<string, string> = {}): Promise<unknown> => {
      const res = await emu.httpClient.sendRequest(
        createPipelineRequest({
          url: endpoint.properties.scoringUri ?? '',
          method: 'POST',
          headers: createHttpHeaders({
            authorization: `Bearer ${keys.primaryKey}`,
            'content-type': 'application/json',
            ...headers,
          }),
          body: JSON.stringify({ data: [1, 2] }),
        }),
      );
      expect(res.status, res.bodyAsText ?? '').toBe(200);
      return JSON.parse(res.bodyAsText ?? 'null');
    };
    expect(await score()).toEqual({ predictions: [100, 200], deployment: 'green' });
    expect(await score({ 'azureml-model-deployment': 'blue' })).toEqual({
      predictions: [10, 20],
      deployment: 'blue',
    });
  });
});

describe('jobs', () => {
  it('runs a command job with an uploaded input folder and uploads its output', async () => {
    const ml = client();
    const container = await uploadFolder('inputs/train', { 'x.csv': '1\n2\n3\n' });
    await uploadFolder('code/train', {
      'train.sh': 'wc -l < "$1" > "$2/count.txt"; echo "trained with $GREETING"',
    });
    const code = await ml.codeVersions.createOrUpdate(RG, WS, 'train-code', '1', {
      properties: { codeUri: `azureml://datastores/workspaceblobstore/paths/code/train/` },
    });
    // SDK 2.1.1 registers asset inputs under 'AssetJobInput.<type>', not 'JobInput.<type>', so it
    // drops `uri` from uri_folder inputs when serializing: send the job body as raw JSON.
    const put = await armSend('PUT', `${WS_ID}/jobs/train-1?api-version=2022-10-01`, {
      properties: {
        jobType: 'Command',
        command: 'bash train.sh ${{inputs.data}}/x.csv ${{outputs.model}}',
        codeId: code.id,
        environmentId: 'azureml:sklearn:1',
        environmentVariables: { GREETING: 'hello' },
        inputs: {
          data: {
            jobInputType: 'uri_folder',
            uri: 'azureml://datastores/workspaceblobstore/paths/inputs/train/',
          },
        },
        outputs: { model: { jobOutputType: 'uri_folder' } },
      },
    });
    expect(put.status).toBe(201);
    const job = await ml.jobs.get(RG, WS, 'train-1');
    expect(job.properties.services?.Studio?.endpoint).toContain('train-1');
    expect(await waitForJob('train-1')).toBe('Completed');
    const out = await container.getBlobClient('azureml/train-1/model/count.txt').downloadToBuffer();
    expect(out.toString().trim()).toBe('3');
    expect(emu.state.jobLog(WS, 'train-1')).toContain('trained with hello');
    const statuses = emu.requests.filter((r) => r.path.endsWith('/jobs/train-1')).length;
    expect(statuses).toBeGreaterThan(1);
  });

  it('cancels a running job', async () => {
    const ml = client();
    await ml.jobs.createOrUpdate(RG, WS, 'sleepy', {
      properties: {
        jobType: 'Command',
        command: 'sleep 30',
        environmentId: 'azureml:env:1',
      } as never,
    });
    await ml.jobs.beginCancelAndWait(RG, WS, 'sleepy', POLL);
    expect(await waitForJob('sleepy')).toBe('Canceled');
  });
});

describe('registry', () => {
  it('hands out a SAS with startPendingUpload and registers a version through an LRO', async () => {
    const base = `https://management.azure.com/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.MachineLearningServices/registries/${REGISTRY}/models/forecast/versions/1`;
    const send = armSend;
    const pending = await send('POST', `${base}/startPendingUpload?api-version=2024-04-01`, {
      pendingUploadType: 'TemporaryBlobReference',
    });
    expect(pending.status).toBe(200);
    const ref = pending.body.blobReferenceForConsumption as unknown as {
      blobUri: string;
      credential: { sasUri: string };
    };
    const container = new ContainerClient(ref.credential.sasUri, new AnonymousCredential(), {
      httpClient: emu.httpClient as never,
    });
    await container.getBlockBlobClient('model/factor.txt').uploadData(Buffer.from('3'));
    const put = await send('PUT', `${base}?api-version=2024-04-01`, {
      properties: {
        modelUri: `${ref.blobUri}/model`,
        modelType: 'custom_model',
        tags: { source: 'ci' },
      },
    });
    expect(put.status).toBe(201);
    const statusUrl = put.headers.get('azure-asyncoperation') ?? '';
    expect(statusUrl).toMatch(/^https:\/\/management\.azure\.com\/.*mfeOperationsStatus/);
    let status = '';
    for (let i = 0; i < 5 && status !== 'Succeeded'; i++)
      status = String((await send('GET', statusUrl)).body.status);
    expect(status).toBe('Succeeded');
    const got = await send('GET', `${base}?api-version=2024-04-01`);
    expect(got.body.properties).toMatchObject({ provisioningState: 'Succeeded' });
    expect(emu.state.registryVersions(REGISTRY, 'forecast')).toHaveLength(1);

    // publish: workspace version -> registry
    await client().modelVersions.createOrUpdate(RG, WS, 'publishable', '1', {
      properties: { modelUri: 'azureml://datastores/workspaceblobstore/paths/models/doubler/' },
    });
    const publish = await send(
      'POST',
      `https://management.azure.com${WS_ID}/models/publishable/versions/1/publish?api-version=2024-04-01`,
      { registryName: REGISTRY, destinationName: 'published', destinationVersion: '1' },
    );
    expect(publish.status).toBe(202);
    expect(publish.headers.get('location')).toContain('mfeOperationResults');
    expect(emu.state.registryVersions(REGISTRY, 'published')).toHaveLength(1);
  });
});

describe('faults', () => {
  const listPath = '/models/forecast/versions';

  it('retries a 429 with Retry-After and fails at once without it', async () => {
    const ml = client();
    const retried = emu.faults.add({ path: listPath, kind: 'status', status: 429, retryAfter: 1 });
    expect(await collect(ml.modelVersions.list(RG, WS, 'forecast'))).toHaveLength(23);
    expect(retried.fired).toBe(1);
    emu.faults.add({ path: listPath, kind: 'status', status: 429 });
    await expect(collect(ml.modelVersions.list(RG, WS, 'forecast'))).rejects.toMatchObject({
      statusCode: 429,
    });
  });

  it('retries 500/503 and a reset connection', async () => {
    const ml = client();
    emu.faults.add({ path: listPath, kind: 'status', status: 503, times: 2 });
    emu.faults.add({ path: listPath, kind: 'status', status: 500 });
    expect(await collect(ml.modelVersions.list(RG, WS, 'forecast'))).toHaveLength(23);
    const reset = emu.faults.add({ path: listPath, kind: 'reset' });
    expect(await collect(ml.modelVersions.list(RG, WS, 'forecast'))).toHaveLength(23);
    expect(reset.fired).toBe(1);
    expect(emu.requests.some((r) => r.status === 0)).toBe(true);
  });

  it('adds latency', async () => {
    emu.faults.add({ path: '/models/immutable', kind: 'latency', ms: 80 });
    const started = Date.now();
    await client().modelContainers.get(RG, WS, 'immutable');
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('fails an LRO and jobs on demand', async () => {
    const ml = client();
    emu.faults.add({
      path: /batchEndpoints\/doomed$/,
      kind: 'lro-failed',
      message: 'quota exceeded',
    });
    await expect(
      ml.batchEndpoints.beginCreateOrUpdateAndWait(
        RG,
        WS,
        'doomed',
        { location: 'westeurope', properties: { authMode: 'AADToken' } },
        POLL,
      ),
    ).rejects.toThrow(/quota exceeded/);
    emu.faults.add({ path: 'will-fail', kind: 'job-failed', message: 'OOM killed' });
    emu.faults.add({ path: 'will-cancel', kind: 'job-canceled' });
    for (const name of ['will-fail', 'will-cancel']) {
      await ml.jobs.createOrUpdate(RG, WS, name, {
        properties: {
          jobType: 'Command',
          command: 'echo hi',
          environmentId: 'azureml:env:1',
        } as never,
      });
    }
    expect(await waitForJob('will-fail')).toBe('Failed');
    expect(emu.state.jobLog(WS, 'will-fail')).toContain('OOM killed');
    expect(await waitForJob('will-cancel')).toBe('Canceled');
  });
});

describe('auth', () => {
  it('answers 401 without a valid token and 403 outside the client scopes', async () => {
    const forged: TokenCredential = {
      getToken: () => Promise.resolve({ token: 'a.b.c', expiresOnTimestamp: Date.now() + 60_000 }),
    };
    const bad = new AzureMachineLearningWorkspaces(forged, SUB, {
      httpClient: emu.httpClient,
      retryOptions: FAST_RETRY,
    });
    await expect(bad.workspaces.get(RG, WS)).rejects.toMatchObject({
      statusCode: 401,
      code: 'InvalidAuthenticationToken',
    });
    const scoped = client('dev-only');
    expect((await scoped.workspaces.get(RG, WS)).name).toBe(WS);
    const denied = scoped.modelVersions.createOrUpdate(RG, 'mlw-prod', 'm', '1', {
      properties: {},
    });
    await expect(denied).rejects.toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
    await expect(denied).rejects.toThrow(
      /does not have authorization to perform action 'Microsoft.MachineLearningServices\/workspaces\/models\/versions\/write' over scope/,
    );
    await expect(client().workspaces.get(RG, 'nope')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('issues tokens through the real identity credentials and reports Entra errors', async () => {
    const opts = { httpClient: emu.httpClient, retryOptions: { maxRetries: 0 } };
    const assertion = async (audience = 'api://AzureADTokenExchange'): Promise<string> => {
      const res = await emu.httpClient.sendRequest(
        createPipelineRequest({
          url: `${emu.oidc.requestUrl}&audience=${encodeURIComponent(audience)}`,
          headers: createHttpHeaders({ authorization: `Bearer ${emu.oidc.requestToken}` }),
        }),
      );
      return (JSON.parse(res.bodyAsText ?? '{}') as { value: string }).value;
    };
    emu.oidc.subject = 'repo:acme/forecast:environment:prod';
    const federated = new ClientAssertionCredential(TENANT, 'ci', () => assertion(), opts);
    const token = await federated.getToken('https://management.azure.com/.default');
    const ml = new AzureMachineLearningWorkspaces(federated, SUB, { httpClient: emu.httpClient });
    expect((await ml.workspaces.get(RG, WS)).name).toBe(WS);
    expect(token.token.split('.')).toHaveLength(3);

    emu.oidc.subject = 'repo:acme/forecast:ref:refs/heads/main';
    const wrongSubject = new ClientAssertionCredential(TENANT, 'ci', () => assertion(), opts);
    await expect(wrongSubject.getToken('https://management.azure.com/.default')).rejects.toThrow(
      /AADSTS70021/,
    );
    const wrongAudience = new ClientAssertionCredential(
      TENANT,
      'ci',
      () => assertion('api://other'),
      opts,
    );
    await expect(wrongAudience.getToken('https://management.azure.com/.default')).rejects.toThrow(
      /AADSTS70021/,
    );

    const secret = new ClientSecretCredential(TENANT, 'ci', 's3cret', opts);
    expect((await secret.getToken('https://storage.azure.com/.default')).token).toBeTruthy();
    await expect(
      new ClientSecretCredential(TENANT, 'ci', 'wrong', opts).getToken(
        'https://management.azure.com/.default',
      ),
    ).rejects.toThrow(/AADSTS7000215/);
    await expect(
      new ClientSecretCredential(TENANT, 'ghost', 'x', opts).getToken(
        'https://management.azure.com/.default',
      ),
    ).rejects.toThrow(/AADSTS700016/);
    const otherTenant = '99999999-2222-3333-4444-555555555555';
    await expect(
      new ClientSecretCredential(otherTenant, 'ci', 's3cret', opts).getToken(
        'https://management.azure.com/.default',
      ),
    ).rejects.toThrow(/AADSTS90002/);
  });
});

describe('blob', () => {
  it('refuses a wrong account key and lists with paging', async () => {
    const ds = emu.state.datastore(WS);
    const wrong = new BlobServiceClient(
      ds.accountUrl,
      new StorageSharedKeyCredential(ds.accountName, Buffer.from('nope').toString('base64')),
      {
        httpClient: emu.httpClient as never,
      },
    );
    await expect(
      wrong
        .getContainerClient(ds.containerName)
        .getBlockBlobClient('x')
        .uploadData(Buffer.from('x')),
    ).rejects.toMatchObject({
      statusCode: 403,
      code: 'AuthenticationFailed',
    });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'emu-blob-'));
    const file = path.join(dir, 'big.bin');
    await writeFile(file, Buffer.alloc(300_000, 7));
    const good = new BlobServiceClient(
      ds.accountUrl,
      new StorageSharedKeyCredential(ds.accountName, ds.key),
      { httpClient: emu.httpClient as never },
    );
    const container = good.getContainerClient(ds.containerName);
    await container
      .getBlockBlobClient('big/big.bin')
      .uploadFile(file, { blockSize: 100_000, maxSingleShotSize: 100_000 });
    const blob = container.getBlobClient('big/big.bin');
    expect(await blob.exists()).toBe(true);
    expect((await blob.downloadToBuffer(1000, 10)).length).toBe(10);
    const names: string[] = [];
    for await (const page of container
      .listBlobsFlat({ prefix: 'inputs/' })
      .byPage({ maxPageSize: 2 })) {
      names.push(...page.segment.blobItems.map((b) => b.name));
    }
    expect(names.length).toBeGreaterThanOrEqual(3);
    await blob.delete();
    expect(await blob.exists()).toBe(false);
  });
});
