import path from 'node:path';
import { ActionsArtifactStore, FolderStore, type ArtifactStore } from '@mlops/artifacts';

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
