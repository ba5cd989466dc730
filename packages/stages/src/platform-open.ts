import path from 'node:path';
import type { StageDeps } from '@mlops/action-kit';
import type { LoadedConfig } from '@mlops/config';
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
  if (settings.backend === 'azureml') {
    throw new ConfigurationError(
      `environment "${environment}" uses backend azureml, which this version does not support yet: use backend local`,
    );
  }
  return openLocalPlatform({
    environment,
    stateDir: path.resolve(loaded.projectDir, settings.path ?? path.join('.mlops', environment)),
    now: deps.now,
    baseEnv: deps.baseEnv,
  });
}
