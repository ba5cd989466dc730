import type { OnlineDeployment, OnlineEndpoint as ArmEndpoint } from '@azure/arm-machinelearning';
import type { OnlineDefinition, OnlineEndpoint, OnlineEndpoints } from '../port.js';
import { checkTraffic } from '../traffic.js';
import type { AzureContext } from './context.js';
import { postJson } from './data-plane.js';
import { ONLINE_DRIVER, ONLINE_DRIVER_SOURCE } from './drivers.js';
import { isNotFound } from './errors.js';
import { endpointName } from './pipelines.js';
import { uploadCode } from './uploads.js';
import { canonicalJson, sha256 } from '../local/digest.js';

const SCORE_COMMAND = 'MLOPS_SCORE_COMMAND';

/**
 * Managed online endpoints: one deployment per model version, named
 * `v<version>`. A deployment is created at 0 % (traffic changes need a PUT
 * of the endpoint, which only setTraffic does), so the caller can smoke-test
 * it before shifting traffic, and older deployments stay for rollback.
 */
export class AzureEndpoints implements OnlineEndpoints {
  constructor(private readonly context: AzureContext) {}

  async deploy(
    definition: OnlineDefinition,
  ): Promise<{ endpoint: OnlineEndpoint; deployment: string; changed: boolean }> {
    const { context } = this;
    const { client, rg, ws, options } = context;
    const name = endpointName(definition.name);
    const environmentId = context.need(
      options.jobEnvironment,
      'job-environment',
      `endpoint ${definition.name}`,
    );
    const codeId = await uploadCode(context, definition.codeDir, [
      { path: ONLINE_DRIVER, source: Buffer.from(ONLINE_DRIVER_SOURCE) },
    ]);
    const deployment = `v${definition.model.version}`;
    const digest = sha256(
      canonicalJson({
        model: definition.model,
        command: definition.command,
        env: definition.env,
        code: codeId,
        environmentId,
      }),
    );
    const location = await context.location();
    let endpoint = await this.read(name);
    if (!endpoint)
      endpoint = await context.call(`creating online endpoint ${name}`, () =>
        client.onlineEndpoints.beginCreateOrUpdateAndWait(
          rg,
          ws,
          name,
          {
            location,
            identity: { type: 'SystemAssigned' },
            properties: { authMode: 'AADToken', description: `Serves ${definition.model.name}` },
            tags: { mlops_endpoint: definition.name },
          },
          context.lro,
        ),
      );
    const current = await client.onlineDeployments
      .get(rg, ws, name, deployment)
      .catch((error: unknown) => {
        if (isNotFound(error)) return undefined;
        throw context.problem(error, `reading deployment ${name}/${deployment}`);
      });
    const changed = current?.tags?.mlops_digest !== digest;
    if (changed)
      await context.call(
        `deploying ${definition.model.name} v${definition.model.version} online`,
        () =>
          client.onlineDeployments.beginCreateOrUpdateAndWait(
            rg,
            ws,
            name,
            deployment,
            {
              location,
              sku: { name: 'Default', capacity: 1 },
              tags: { mlops_digest: digest },
              properties: {
                endpointComputeType: 'Managed',
                model: `${context.workspaceId}/models/${definition.model.name}/versions/${definition.model.version}`,
                codeConfiguration: { codeId, scoringScript: ONLINE_DRIVER },
                environmentId,
                environmentVariables: { ...definition.env, [SCORE_COMMAND]: definition.command },
                instanceType: options.instanceType ?? 'Standard_DS3_v2',
                scaleSettings: { scaleType: 'Default' },
              },
            } as OnlineDeployment,
            context.lro,
          ),
      );
    return { endpoint: await this.describe(name, definition.name), deployment, changed };
  }

  async invoke(name: string, deployment: string, csv: string): Promise<string> {
    const endpoint = await this.read(endpointName(name));
    const uri = endpoint?.properties.scoringUri;
    if (!uri) throw new Error(`online endpoint ${endpointName(name)} has no scoring URI yet`);
    const answer = (await this.context.call(`scoring on ${name}/${deployment}`, () =>
      // The header sends the request to that deployment whatever the traffic split.
      postJson(this.context, uri, { csv }, { 'azureml-model-deployment': deployment }),
    )) as { predictions?: unknown };
    if (typeof answer.predictions !== 'string')
      throw new Error(`${name}/${deployment} answered without predictions`);
    return answer.predictions;
  }

  async setTraffic(name: string, traffic: Record<string, number>): Promise<OnlineEndpoint> {
    const { context } = this;
    const armName = endpointName(name);
    const endpoint = await this.read(armName);
    const deployments = await this.deployments(armName);
    checkTraffic(
      name,
      traffic,
      deployments.map((d) => d.name ?? ''),
    );
    if (!endpoint) throw new Error(`online endpoint ${armName} disappeared`);
    await context.call(`shifting traffic of ${armName}`, () =>
      context.client.onlineEndpoints.beginCreateOrUpdateAndWait(
        context.rg,
        context.ws,
        armName,
        {
          location: endpoint.location,
          identity: endpoint.identity ?? { type: 'SystemAssigned' },
          tags: endpoint.tags,
          properties: { ...endpoint.properties, traffic },
        },
        context.lro,
      ),
    );
    return this.describe(armName, name);
  }

  async get(name: string): Promise<OnlineEndpoint | undefined> {
    const armName = endpointName(name);
    return (await this.read(armName)) ? this.describe(armName, name) : undefined;
  }

  private read(name: string): Promise<ArmEndpoint | undefined> {
    const { client, rg, ws } = this.context;
    return client.onlineEndpoints.get(rg, ws, name).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw this.context.problem(error, `reading online endpoint ${name}`);
    });
  }

  private deployments(name: string): Promise<OnlineDeployment[]> {
    const { client, rg, ws } = this.context;
    return this.context.call(`listing deployments of ${name}`, async () => {
      const found: OnlineDeployment[] = [];
      for await (const deployment of client.onlineDeployments.list(rg, ws, name))
        found.push(deployment);
      return found;
    });
  }

  private async describe(armName: string, name: string): Promise<OnlineEndpoint> {
    const endpoint = await this.read(armName);
    const deployments = await this.deployments(armName);
    return {
      name,
      traffic: Object.fromEntries(
        Object.entries(endpoint?.properties.traffic ?? {}).filter(([, percent]) => percent > 0),
      ),
      deployments: deployments
        .map((d) => {
          const model = /\/models\/([^/]+)\/versions\/(\d+)/i.exec(
            (d.properties as { model?: string }).model ?? '',
          );
          return {
            name: d.name ?? '',
            model: { name: model?.[1] ?? '', version: Number(model?.[2] ?? 0) },
          };
        })
        .sort((a, b) => a.model.version - b.model.version),
    };
  }
}
