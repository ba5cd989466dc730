import path from 'node:path';
import type { StageDeps } from '@mlops/action-kit';
import type { EnvironmentConfig, LoadedConfig } from '@mlops/config';
import { ConfigurationError, didYouMean } from '@mlops/foundation';
import { openLocalPlatform, type Platform } from '@mlops/platform';

/** The platform of a configured environment; actions never branch on its backend. */
export async function openPlatform(
  loaded: LoadedConfig,
  environment: string,
  deps: StageDeps,
): Promise<Platform> {
  const environments = loaded.config.environments;
  const settings = environments[environment];
  if (!settings) {
    const names = Object.keys(environments);
    throw new ConfigurationError(
      `environment "${environment}" is not in ${loaded.file}${didYouMean(environment, names)}: use one of ${names.join(', ')}`,
    );
  }
  if (settings.backend === 'azureml') return openAzure(loaded, environment, settings, deps);
  return openLocalPlatform({
    environment,
    stateDir: path.resolve(loaded.projectDir, settings.path ?? path.join('.mlops', environment)),
    now: deps.now,
    baseEnv: deps.baseEnv,
  });
}

type AzureSettings = Extract<EnvironmentConfig, { backend: 'azureml' }>;

/** Loaded on first use, so runs on the local backend never load the Azure SDK. */
async function openAzure(
  loaded: LoadedConfig,
  environment: string,
  settings: AzureSettings,
  deps: StageDeps,
): Promise<Platform> {
  const { openAzurePlatform, signIn } = await import('@mlops/platform/azureml');
  const env = deps.baseEnv;
  const subject = `environment "${environment}"`;
  const clientId = settings['client-id'] ?? env.AZURE_CLIENT_ID;
  const clientSecret = settings.auth === 'secret' ? env.AZURE_CLIENT_SECRET : undefined;
  if (clientSecret) deps.mask(clientSecret);
  const subscriptionId = settings['subscription-id'] ?? env.AZURE_SUBSCRIPTION_ID;
  if (!subscriptionId)
    throw new ConfigurationError(
      `${subject} has no subscription-id: set environments.${environment}.subscription-id in ${loaded.file} or AZURE_SUBSCRIPTION_ID`,
    );
  const credential = signIn({
    subject,
    auth: settings.auth,
    tenantId: settings['tenant-id'] ?? env.AZURE_TENANT_ID,
    clientId,
    clientSecret,
    authorityHost: settings['authority-host'],
    idToken: deps.idToken,
  });
  return openAzurePlatform({
    environment,
    subscriptionId,
    resourceGroup: settings['resource-group'],
    workspace: settings.workspace,
    credential,
    clientId,
    armEndpoint: settings['arm-endpoint'],
    compute: settings.compute,
    jobEnvironment: settings['job-environment'],
    instanceType: settings['instance-type'],
    cacheDir: path.join(loaded.projectDir, '.mlops', 'cache', 'azureml', environment),
    now: deps.now,
    pollMs: settings['poll-seconds'] * 1000,
    mask: deps.mask,
  });
}
