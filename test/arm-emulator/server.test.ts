import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startArmEmulator, type ArmEmulator } from './index.js';

const TENANT = '11111111-2222-3333-4444-555555555555';
const SUB = '00000000-1111-2222-3333-444444444444';
const RG = 'rg-mlops';
const WS = 'mlw-prod';
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

// The child does what an action bundle does: federated login with the runner's OIDC token,
// then the ARM SDK against the emulator's URL.
const CHILD = `
import { ClientAssertionCredential } from '@azure/identity';
import { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
const env = process.env;
const getAssertion = async () => {
  const res = await fetch(env.ACTIONS_ID_TOKEN_REQUEST_URL + '&audience=api://AzureADTokenExchange', {
    headers: { authorization: 'Bearer ' + env.ACTIONS_ID_TOKEN_REQUEST_TOKEN },
  });
  if (!res.ok) throw new Error('oidc ' + res.status);
  return (await res.json()).value;
};
const credential = new ClientAssertionCredential(env.TENANT, env.CLIENT, getAssertion, {
  authorityHost: env.LOGIN_URL,
  disableInstanceDiscovery: true,
});
const ml = new AzureMachineLearningWorkspaces(credential, env.SUB, {
  endpoint: env.ARM_URL,
  credentialScopes: [env.ARM_URL + '/.default'],
});
const names = [];
for await (const v of ml.modelVersions.list(env.RG, env.WS, 'forecast')) names.push(v.name);
const store = await ml.datastores.get(env.RG, env.WS, 'workspaceblobstore');
console.log(JSON.stringify({ names, endpoint: store.properties.endpoint }));
`;

let emu: ArmEmulator;

beforeAll(async () => {
  emu = await startArmEmulator({
    tenantId: TENANT,
    mode: 'server',
    workspaces: [{ subscriptionId: SUB, resourceGroup: RG, name: WS }],
    clients: [
      { clientId: 'deployer', subject: 'repo:acme/forecast:environment:prod', scopes: [WS] },
    ],
  });
  emu.oidc.subject = 'repo:acme/forecast:environment:prod';
});

afterAll(async () => {
  await emu.close();
});

describe('server mode', () => {
  it('serves a child process that logs in with GitHub OIDC and lists model versions', async () => {
    const token = emu.issueToken('deployer');
    // The test process does not trust the emulator's CA; its httpClient reaches the same state.
    for (const v of ['1', '2']) {
      const answer = await emu.httpClient.sendRequest(
        createPipelineRequest({
          url: `${emu.urls.arm}/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.MachineLearningServices/workspaces/${WS}/models/forecast/versions/${v}?api-version=2022-10-01`,
          method: 'PUT',
          headers: createHttpHeaders({
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
          }),
          body: JSON.stringify({
            properties: { modelUri: `azureml://datastores/workspaceblobstore/paths/m/${v}/` },
          }),
        }),
      );
      expect(answer.status).toBe(201);
    }
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', CHILD],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          NODE_EXTRA_CA_CERTS: emu.caFile,
          ACTIONS_ID_TOKEN_REQUEST_URL: emu.oidc.requestUrl,
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: emu.oidc.requestToken,
          TENANT,
          CLIENT: 'deployer',
          SUB,
          RG,
          WS,
          ARM_URL: emu.urls.arm,
          LOGIN_URL: emu.urls.login,
        },
        timeout: 30_000,
      },
    );
    const result = JSON.parse(stdout.trim()) as { names: string[]; endpoint: string };
    expect(result.names.sort()).toEqual(['1', '2']);
    expect(result.endpoint).toBe(new URL(emu.urls.blob).host);
    const services = new Set(emu.requests.map((r) => r.service));
    expect([...services].sort()).toEqual(['arm', 'login', 'oidc']);
    expect(emu.urls.arm).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });
});
