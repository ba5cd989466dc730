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
