import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startArmEmulator, type ArmEmulator } from './index.js';

/*
 * Replays each official x-ms-example against the emulator and checks the answer's shape:
 * a status the example lists, and every field of the example's response body present with
 * the same JSON type (objects recursively, arrays by their first element; values ignored).
 */

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLES = path.resolve(repoRoot, '..', 'shared', 'reference', 'azureml-rest-examples');
const PROVIDER = 'Microsoft.MachineLearningServices';

interface Example {
  file: string;
  parameters: Record<string, unknown> & { body?: Record<string, unknown> };
  responses: Record<string, { body?: unknown }>;
}

type Json = Record<string, unknown>;

function listExamples(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return listExamples(full);
    return entry.endsWith('.json') ? [full] : [];
  });
}

const METHODS: Record<string, string> = {
  createOrUpdate: 'PUT',
  get: 'GET',
  list: 'GET',
  update: 'PATCH',
  listSecrets: 'POST',
  cancel: 'POST',
  createOrGetStartPendingUpload: 'POST',
  publish: 'POST',
};

/** Path below the workspace/registry for each example folder (`{param}` from parameters). */
const ROUTES: Record<string, string> = {
  Workspace: '',
  Datastore: '/datastores/{name}',
  ModelContainer: '/models/{name}',
  ModelVersion: '/models/{name}/versions/{version}',
  CodeContainer: '/codes/{name}',
  CodeVersion: '/codes/{name}/versions/{version}',
  DataVersionBase: '/data/{name}/versions/{version}',
  EnvironmentVersion: '/environments/{name}/versions/{version}',
  BatchEndpoint: '/batchEndpoints/{endpointName}',
  BatchDeployment: '/batchEndpoints/{endpointName}/deployments/{deploymentName}',
  OnlineEndpoint: '/onlineEndpoints/{endpointName}',
  ManagedOnlineDeployment: '/onlineEndpoints/{endpointName}/deployments/{deploymentName}',
  CommandJob: '/jobs/{id}',
  PipelineJob: '/jobs/{id}',
  Job: '/jobs/{id}',
  // Registry model versions.
  'Registry/ModelVersion': '/models/{modelName}/versions/{version}',
  // The code-version publish example stands in for the model-version publish (same shapes).
  'Workspace/CodeVersion': '/models/{name}/versions/{version}',
};

const ACTIONS: Record<string, string> = {
  listSecrets: '/listSecrets',
  cancel: '/cancel',
  createOrGetStartPendingUpload: '/startPendingUpload',
  publish: '/publish',
};

/**
 * Example-specific data: parameter overrides, body patches (`$code`, `$model`, `$registry`
 * are replaced by ids created first), prerequisites to create, and response fields that the
 * emulator legitimately leaves out.
 */
interface Special {
  params?: Record<string, string>;
  body?: Json;
  needs?: ('code' | 'model' | 'batchEndpoint' | 'onlineEndpoint' | 'job' | 'self')[];
  ignore?: string[];
}

const SPECIAL: Record<string, Special> = {
  '2022-10-01/Datastore/get.json': { params: { name: 'workspaceblobstore' } },
  '2022-10-01/Datastore/listSecrets.json': { params: { name: 'workspaceblobstore' } },
  '2022-10-01/ModelContainer/get.json': { needs: ['self'] },
  '2022-10-01/ModelContainer/list.json': { needs: ['self'], ignore: ['nextLink'] },
  '2022-10-01/ModelVersion/list.json': { needs: ['self'], ignore: ['nextLink'] },
  '2022-10-01/BatchEndpoint/update.json': { needs: ['batchEndpoint'] },
  '2022-10-01/BatchDeployment/createOrUpdate.json': {
    needs: ['batchEndpoint'],
    body: { properties: { model: { assetId: '$model' }, codeConfiguration: { codeId: '$code' } } },
  },
  '2022-10-01/BatchDeployment/get.json': {
    needs: ['batchEndpoint', 'self'],
    body: { properties: { model: { assetId: '$model' }, codeConfiguration: { codeId: '$code' } } },
  },
  '2022-10-01/OnlineEndpoint/get.json': {
    needs: ['self'],
    body: { properties: { traffic: {} } },
    ignore: ['properties.traffic.string'],
  },
  '2022-10-01/OnlineDeployment/ManagedOnlineDeployment/createOrUpdate.json': {
    needs: ['onlineEndpoint'],
    body: { properties: { model: '$model', codeConfiguration: { codeId: '$code' } } },
  },
  '2022-10-01/OnlineDeployment/ManagedOnlineDeployment/get.json': {
    needs: ['onlineEndpoint', 'self'],
    body: { properties: { model: '$model', codeConfiguration: { codeId: '$code' } } },
  },
  '2022-10-01/Job/CommandJob/createOrUpdate.json': { body: { properties: { codeId: '$code' } } },
  '2022-10-01/Job/PipelineJob/get.json': { needs: ['self'] },
  '2022-10-01/Job/cancel.json': { needs: ['job'] },
  '2024-04-01/Registry/ModelVersion/get.json': { needs: ['self'] },
  '2024-04-01/Workspace/CodeVersion/publish.json': {
    needs: ['model'],
    body: { registryName: '$registry' },
  },
};

function routeKey(rel: string): string {
  const parts = rel.split('/').slice(1, -1);
  const two = parts.slice(-2).join('/');
  if (ROUTES[two] !== undefined) return two;
  return parts.at(-1) ?? '';
}

function fill(template: string, params: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(String(params[k])));
}

function substitute(value: unknown, refs: Record<string, string>): unknown {
  if (typeof value === 'string' && value.startsWith('$')) return refs[value.slice(1)] ?? value;
  if (Array.isArray(value)) return value.map((v) => substitute(v, refs));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, refs)]));
  }
  return value;
}

function merge(base: unknown, patch: unknown): unknown {
  if (
    !patch ||
    typeof patch !== 'object' ||
    Array.isArray(patch) ||
    !base ||
    typeof base !== 'object'
  )
    return patch;
  const out: Json = { ...(base as Json) };
  for (const [k, v] of Object.entries(patch as Json)) {
    out[k] =
      k in out && v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length
        ? merge(out[k], v)
        : v;
  }
  return out;
}

function typeOf(value: unknown): string {
  return Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
}

/** Keys the examples use for entries of free-form maps (tags, traffic, identities...). */
function isMapKey(key: string): boolean {
  return (
    ['string', 'property1', 'property2', 'additionalProp1'].includes(key) || key.startsWith('/')
  );
}

/**
 * Where the emulator's body lacks a field of the example or has another JSON type. A null
 * value stands for a nullable field that is present; maps are compared entry shape to entry
 * shape, since their keys are data.
 */
function shapeMismatches(expected: unknown, actual: unknown, at = ''): string[] {
  if (expected === null || expected === undefined || actual === null) return [];
  if (typeOf(expected) !== typeOf(actual))
    return [`${at || '<body>'}: expected ${typeOf(expected)}, got ${typeOf(actual)}`];
  if (typeOf(expected) === 'object') {
    const keys = Object.keys(expected as Json);
    if (keys.length > 0 && keys.every(isMapKey)) {
      const first = Object.values(actual as Json)[0];
      return first === undefined
        ? []
        : shapeMismatches(Object.values(expected as Json)[0], first, `${at}.*`);
    }
  }
  if (Array.isArray(expected)) {
    if (expected.length === 0) return [];
    if ((actual as unknown[]).length === 0) return [`${at}: expected a non-empty array`];
    return shapeMismatches(expected[0], (actual as unknown[])[0], `${at}[0]`);
  }
  if (typeof expected === 'object') {
    return Object.entries(expected as Json).flatMap(([k, v]) => {
      const child = at ? `${at}.${k}` : k;
      if (v === null) return [];
      if (!(k in (actual as Json))) return [`${child}: missing`];
      return shapeMismatches(v, (actual as Json)[k], child);
    });
  }
  return [];
}

const available = existsSync(EXAMPLES);
const files = available ? listExamples(EXAMPLES).sort() : [];

(available ? describe : describe.skip)(
  available
    ? 'ARM examples conformance'
    : `ARM examples conformance (skipped: no examples at ${EXAMPLES})`,
  () => {
    let emu: ArmEmulator;
    let options: Parameters<typeof startArmEmulator>[0];
    const examples: Example[] = files.map((file) => ({
      file,
      ...(JSON.parse(readFileSync(file, 'utf8')) as Omit<Example, 'file'>),
    }));

    beforeAll(async () => {
      const workspaces = new Map<
        string,
        { subscriptionId: string; resourceGroup: string; name: string }
      >();
      const registries = new Map<
        string,
        { subscriptionId: string; resourceGroup: string; name: string }
      >();
      for (const { parameters: p } of examples) {
        const base = {
          subscriptionId: String(p.subscriptionId),
          resourceGroup: String(p.resourceGroupName),
        };
        if (p.workspaceName)
          workspaces.set(`${base.resourceGroup}/${String(p.workspaceName)}`, {
            ...base,
            name: String(p.workspaceName),
          });
        if (p.registryName)
          registries.set(`${base.resourceGroup}/${String(p.registryName)}`, {
            ...base,
            name: String(p.registryName),
          });
      }
      const first = examples[0]?.parameters;
      registries.set('publish-target', {
        subscriptionId: String(first?.subscriptionId),
        resourceGroup: String(first?.resourceGroupName),
        name: 'publish-target',
      });
      options = {
        tenantId: '11111111-2222-3333-4444-555555555555',
        workspaces: [...workspaces.values()],
        registries: [...registries.values()],
        stepMs: 1,
        lroPolls: 0,
      };
    });

    // A fresh emulator per example: the examples reuse names ('string') across resource kinds.
    beforeEach(async () => {
      emu = await startArmEmulator(options);
    });

    afterEach(async () => {
      await emu.close();
    });

    async function send(
      method: string,
      url: string,
      body?: unknown,
    ): Promise<{ status: number; body: unknown }> {
      const res = await emu.httpClient.sendRequest(
        createPipelineRequest({
          url: `https://management.azure.com${url}`,
          method: method as 'GET',
          headers: createHttpHeaders({
            authorization: `Bearer ${emu.issueToken('conformance')}`,
            'content-type': 'application/json',
          }),
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      );
      return {
        status: res.status,
        body: res.bodyAsText ? (JSON.parse(res.bodyAsText) as unknown) : undefined,
      };
    }

    for (const file of files) {
      const rel = path.relative(EXAMPLES, file).split(path.sep).join('/');
      it(rel, async () => {
        const example = examples.find((e) => e.file === file) as Example;
        const special = SPECIAL[rel] ?? {};
        const operation = path.basename(rel, '.json');
        const method = METHODS[operation];
        expect(method, `no method for operation ${operation}`).toBeDefined();
        const params: Record<string, unknown> = { ...example.parameters, ...special.params };
        const apiVersion = String(params['api-version']);
        const scope = params.registryName
          ? `/subscriptions/${String(params.subscriptionId)}/resourceGroups/${String(params.resourceGroupName)}/providers/${PROVIDER}/registries/${String(params.registryName)}`
          : `/subscriptions/${String(params.subscriptionId)}/resourceGroups/${String(params.resourceGroupName)}/providers/${PROVIDER}/workspaces/${String(params.workspaceName)}`;
        const route = ROUTES[routeKey(rel)];
        expect(route, `no route for ${rel}`).toBeDefined();
        const wsScope = scope.replace(/\/registries\/.*/, '');
        const refs: Record<string, string> = { registry: 'publish-target' };
        const q = `?api-version=${apiVersion}`;
        const ok = async (m: string, url: string, body: unknown): Promise<Json> => {
          const res = await send(m, url, body);
          expect(res.status, `prerequisite ${m} ${url}: ${JSON.stringify(res.body)}`).toBeLessThan(
            300,
          );
          return res.body as Json;
        };
        const needs = special.needs ?? [];
        if (needs.some((n) => n !== 'self') || special.body) {
          const ws = params.workspaceName ? scope : wsScope;
          refs.code = String(
            (
              await ok('PUT', `${ws}/codes/prereq-code/versions/1${q}`, {
                properties: { codeUri: 'https://example.invalid/code/' },
              })
            ).id,
          );
          refs.model = String(
            (
              await ok('PUT', `${ws}/models/prereq-model/versions/1${q}`, {
                properties: { modelUri: 'azureml://datastores/workspaceblobstore/paths/m/' },
              })
            ).id,
          );
        }
        if (needs.includes('model')) {
          await ok('PUT', `${scope}${fill(route ?? '', params)}${q}`, {
            properties: { modelUri: 'azureml://datastores/workspaceblobstore/paths/m/' },
          });
        }
        for (const kind of ['batchEndpoint', 'onlineEndpoint'] as const) {
          if (!needs.includes(kind)) continue;
          const segment = kind === 'batchEndpoint' ? 'batchEndpoints' : 'onlineEndpoints';
          await ok('PUT', `${scope}/${segment}/${fill('{endpointName}', params)}${q}`, {
            location: 'westeurope',
            properties: {},
          });
        }
        if (needs.includes('job')) {
          await ok('PUT', `${scope}/jobs/${fill('{id}', params)}${q}`, {
            properties: { jobType: 'Command', command: 'sleep 5', environmentId: 'azureml:env:1' },
          });
        }
        const expectedBody = (Object.values(example.responses).find((r) => r.body !== undefined)
          ?.body ?? undefined) as Json | undefined;
        let target = `${scope}${fill(route ?? '', params)}`;
        if (operation === 'list') {
          target = target.replace(/\/[^/]+$/, '');
        }
        if (needs.includes('self') && expectedBody) {
          // Create what the GET reads, from the example's own response body.
          const item = (
            operation === 'list' ? (expectedBody.value as Json[])[0] : expectedBody
          ) as Json;
          const url =
            operation === 'list' ? `${target}/${encodeURIComponent(String(item.name))}` : target;
          const writable = Object.fromEntries(
            Object.entries(item).filter(([k]) => !['id', 'name', 'type', 'systemData'].includes(k)),
          );
          await ok('PUT', `${url}${q}`, substitute(merge(writable, special.body ?? {}), refs));
        }
        const body = example.parameters.body
          ? substitute(merge(example.parameters.body, special.body ?? {}), refs)
          : undefined;
        const res = await send(method ?? 'GET', `${target}${ACTIONS[operation] ?? ''}${q}`, body);
        const statuses = Object.keys(example.responses).map(Number);
        expect(statuses, JSON.stringify(res.body)).toContain(res.status);
        const expected = (example.responses[String(res.status)]?.body ?? undefined) as unknown;
        const mismatches = shapeMismatches(expected, res.body).filter(
          (m) => !(special.ignore ?? []).some((field) => m.startsWith(`${field}:`)),
        );
        expect(mismatches, `${JSON.stringify(mismatches)} in ${JSON.stringify(res.body)}`).toEqual(
          [],
        );
      });
    }
  },
);
