import { selectModels, type LoadedConfig, type ModelSpec } from '@mlops/config';
import { ConfigurationError } from '@mlops/foundation';
import type { ModelVersion, Platform } from '@mlops/platform';

/** The batch scoring pipeline of a model. */
export function pipelineName(model: string): string {
  return `${model}-batch`;
}

/** "champion", "latest" (the newest candidate) or a version number. */
export async function resolveVersion(
  platform: Platform,
  model: string,
  which: string,
): Promise<ModelVersion | undefined> {
  if (/^\d+$/.test(which)) return platform.registry.get({ name: model, version: Number(which) });
  const stage = which === 'champion' ? 'champion' : 'candidate';
  const versions = await platform.registry.list(model, { tags: { stage } });
  return versions[versions.length - 1];
}

/**
 * The selected models (names or globs, empty for all) that have versions in
 * the environment, and the selected ones that do not (refused at registration,
 * say): those are left out with a note, not failed.
 */
export async function registeredSelection(
  loaded: LoadedConfig,
  patterns: readonly string[],
  platform: Platform,
): Promise<{ models: ModelSpec[]; absent: string[] }> {
  const registered = new Set(await platform.registry.names());
  const selected = selectModels(loaded.models, patterns);
  const models = selected.filter((m) => registered.has(m.name));
  if (!models.length) {
    throw new ConfigurationError(
      `no ${patterns.length ? 'selected ' : ''}model is registered in ${platform.environment}: run register-model first`,
    );
  }
  return { models, absent: selected.filter((m) => !registered.has(m.name)).map((m) => m.name) };
}
