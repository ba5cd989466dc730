import { access, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ArtifactStore, StoredArtifact } from './store.js';

/**
 * Packages as workflow-run artifacts, through the real @actions/artifact
 * (loaded on first use, so actions that never store start faster).
 */
export class ActionsArtifactStore implements ArtifactStore {
  constructor(
    private readonly root: string,
    private readonly runUrl: string,
  ) {}

  folder(name: string): string {
    return path.join(this.root, name);
  }

  async store(name: string): Promise<StoredArtifact> {
    const { DefaultArtifactClient } = await import('@actions/artifact');
    const client = new DefaultArtifactClient();
    const existing = await client.getArtifact(name).catch(() => undefined);
    const id = existing
      ? existing.artifact.id
      : (
          await client.uploadArtifact(
            name,
            (await readdir(this.folder(name))).map((f) => path.join(this.folder(name), f)),
            this.folder(name),
          )
        ).id;
    const location = this.runUrl ? `${this.runUrl}/artifacts/${id}` : `artifact ${id}`;
    return { name, id: String(id ?? ''), location };
  }

  async fetch(name: string): Promise<string> {
    // Packaged in this job: already here.
    if (
      await access(path.join(this.folder(name), 'manifest.json')).then(
        () => true,
        () => false,
      )
    ) {
      return this.folder(name);
    }
    const { DefaultArtifactClient } = await import('@actions/artifact');
    const client = new DefaultArtifactClient();
    const { artifact } = await client.getArtifact(name);
    await client.downloadArtifact(artifact.id, { path: this.folder(name) });
    return this.folder(name);
  }
}
