import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { StageDeps } from '@mlops/action-kit';
import { ActionsArtifactStore, FolderStore, type ArtifactStore } from '@mlops/artifacts';
import type { LoadedConfig } from '@mlops/config';
import { ConfigurationError } from '@mlops/foundation';
import type { RunContext } from './run-context.js';

/** Packages live here in the project (and are uploaded from here on a runner). */
const ARTIFACTS_DIR = '.mlops/artifacts';

/** A runner with the artifact service gets workflow artifacts; anything else a folder. */
export function artifactStore(
  projectDir: string,
  env: Record<string, string | undefined>,
  runUrl: string,
): ArtifactStore {
  const root = path.join(projectDir, ARTIFACTS_DIR);
  return env.ACTIONS_RUNTIME_TOKEN && env.ACTIONS_RESULTS_URL
    ? new ActionsArtifactStore(root, runUrl)
    : new FolderStore(root);
}

/** The local folder of packages, for "the newest package" lookups. */
export function packagesFolder(projectDir: string): string {
  return path.join(projectDir, ARTIFACTS_DIR);
}

/**
 * A package from package-artifacts, by name (the `artifact` input), or the
 * newest local one: its name and the folder holding its archive and manifest.
 */
export async function fetchPackage(
  artifact: string | undefined,
  loaded: LoadedConfig,
  run: RunContext,
  deps: StageDeps,
): Promise<{ name: string; folder: string }> {
  const name = artifact ?? (await newestPackage(packagesFolder(loaded.projectDir)));
  return {
    name,
    folder: await artifactStore(loaded.projectDir, deps.baseEnv, run.url).fetch(name),
  };
}

async function newestPackage(root: string): Promise<string> {
  const names = await readdir(root).catch(() => [] as string[]);
  const dated = await Promise.all(
    names.map(async (name) => ({
      name,
      time: (await stat(path.join(root, name, 'manifest.json')).catch(() => null))?.mtimeMs ?? -1,
    })),
  );
  const newest = dated.filter((d) => d.time >= 0).sort((a, b) => b.time - a.time)[0];
  if (!newest)
    throw new ConfigurationError(
      `no package in ${root}: run package-artifacts first, or set the artifact input`,
    );
  return newest.name;
}
