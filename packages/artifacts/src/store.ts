import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigurationError } from '@mlops/foundation';

export interface StoredArtifact {
  name: string;
  /** The artifact's id on the runner, or its folder locally. */
  id: string;
  /** Where a person finds it: a URL or a folder. */
  location: string;
}

/**
 * Where packages go: artifact storage on a runner, a folder elsewhere. Each
 * package is a folder `<root>/<name>/` holding `<name>.tar` and `manifest.json`.
 */
export interface ArtifactStore {
  /** The local folder a package is written to before it is stored. */
  folder(name: string): string;
  /** Stores the package folder; a package already stored under that name is reused. */
  store(name: string): Promise<StoredArtifact>;
  /** Makes the package available in its local folder (downloading it if needed) and returns that folder. */
  fetch(name: string): Promise<string>;
}

/** Packages stay in `<root>/<name>/`: storing is a no-op, fetching a lookup. */
export class FolderStore implements ArtifactStore {
  constructor(private readonly root: string) {}

  folder(name: string): string {
    return path.join(this.root, name);
  }

  async store(name: string): Promise<StoredArtifact> {
    return { name, id: this.folder(name), location: this.folder(name) };
  }

  async fetch(name: string): Promise<string> {
    if (!(await stat(this.folder(name)).catch(() => null))) {
      throw new ConfigurationError(
        `package ${name} is not in ${this.root}: run package-artifacts first, or check the artifact input`,
      );
    }
    return this.folder(name);
  }
}
