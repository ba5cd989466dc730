import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ModelVersion as ArmModelVersion } from '@azure/arm-machinelearning';
import { ConfigurationError } from '@mlops/foundation';
import type { ModelRef, ModelVersion, RegisterRequest, Registry, TagChange } from '../port.js';
import type { AzureContext } from './context.js';
import { isConflict, isNotFound } from './errors.js';
import { Serial } from './serial.js';
import { folderFiles } from './storage.js';

/** Tries at a version number another writer took meanwhile, before giving up. */
const VERSION_ATTEMPTS = 5;

/**
 * Model versions of a workspace. Files go to the default datastore under
 * `LocalUpload/<content digest>/`, so the same content is uploaded once; the
 * version is found again by its `content_digest` tag, so registering twice
 * returns the first one.
 */
export class AzureRegistry implements Registry {
  private readonly serial = new Serial();
  private readonly registered = new Map<
    string,
    Promise<{ version: ModelVersion; created: boolean }>
  >();

  constructor(private readonly context: AzureContext) {}

  register(request: RegisterRequest): Promise<{ version: ModelVersion; created: boolean }> {
    // The same content asked for twice in this process gets the first answer.
    const key = `${request.name}\0${request.contentDigest}`;
    const earlier = this.registered.get(key);
    if (earlier) return earlier.then(({ version }) => ({ version, created: false }));
    const registering = this.registerNew(request);
    this.registered.set(key, registering);
    registering.catch(() => this.registered.delete(key));
    return registering;
  }

  private async registerNew(
    request: RegisterRequest,
  ): Promise<{ version: ModelVersion; created: boolean }> {
    const { name } = request;
    if (!(await stat(request.sourceDir).catch(() => undefined))?.isDirectory())
      throw new ConfigurationError(
        `cannot register ${name}: the source folder ${request.sourceDir} does not exist`,
      );
    const existing = await this.byDigest(name, request.contentDigest);
    if (existing) return { version: existing, created: false };
    const storage = await this.context.storage();
    const prefix = `LocalUpload/${request.contentDigest.replace(/^[a-z0-9]+:/i, '')}`;
    await storage.upload(prefix, await folderFiles(request.sourceDir));
    return this.serial.run(name, async () => {
      let next = await this.nextVersion(name);
      for (let attempt = 1; ; attempt++) {
        try {
          const created = await this.context.client.modelVersions.createOrUpdate(
            this.context.rg,
            this.context.ws,
            name,
            String(next),
            {
              properties: {
                modelType: 'custom_model',
                modelUri: `${storage.uri(prefix)}/`,
                description: `Registered by mlops-actions (${request.tags.git_sha ?? 'no git sha'})`,
                tags: { ...request.tags, content_digest: request.contentDigest },
                properties: { ...request.properties },
              },
            },
          );
          return { version: toModelVersion(name, created), created: true };
        } catch (error) {
          // Someone registered this number first: theirs may even be our content.
          if (!isConflict(error) || attempt === VERSION_ATTEMPTS)
            throw this.context.problem(error, `registering ${name} version ${next}`);
          const raced = await this.byDigest(name, request.contentDigest);
          if (raced) return { version: raced, created: false };
          next = await this.nextVersion(name);
        }
      }
    });
  }

  async get(ref: ModelRef): Promise<ModelVersion | undefined> {
    if (!Number.isInteger(ref.version) || ref.version < 1) return undefined;
    try {
      const found = await this.context.client.modelVersions.get(
        this.context.rg,
        this.context.ws,
        ref.name,
        String(ref.version),
      );
      return toModelVersion(ref.name, found);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw this.context.problem(error, `reading ${ref.name} version ${ref.version}`);
    }
  }

  async list(name: string, filter?: { tags?: Record<string, string> }): Promise<ModelVersion[]> {
    const tags = Object.entries(filter?.tags ?? {})
      .map(([key, value]) => `${key}=${value}`)
      .join(',');
    return this.context.call(`listing the versions of ${name}`, async () => {
      const versions: ModelVersion[] = [];
      try {
        for await (const found of this.context.client.modelVersions.list(
          this.context.rg,
          this.context.ws,
          name,
          tags ? { tags } : {},
        ))
          versions.push(toModelVersion(name, found));
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      // Tag filters match on key=value; a value with a comma would split, so check again.
      const wanted = Object.entries(filter?.tags ?? {});
      return versions
        .filter((v) => wanted.every(([key, value]) => v.tags[key] === value))
        .sort((a, b) => a.version - b.version);
    });
  }

  async names(): Promise<string[]> {
    return this.context.call('listing models', async () => {
      const names: string[] = [];
      for await (const container of this.context.client.modelContainers.list(
        this.context.rg,
        this.context.ws,
      ))
        if (container.name && container.properties.latestVersion) names.push(container.name);
      return names.sort();
    });
  }

  /**
   * ARM has no transaction: each version is re-PUT with its new tags, and
   * when one fails the ones already changed get their old tags back.
   */
  async setTags(changes: readonly TagChange[]): Promise<void> {
    const done: ArmModelVersion[] = [];
    try {
      for (const change of changes) {
        const current = await this.context.call(
          `reading ${change.name} version ${change.version}`,
          () =>
            this.context.client.modelVersions.get(
              this.context.rg,
              this.context.ws,
              change.name,
              String(change.version),
            ),
        );
        const tags = strings(current.properties.tags);
        for (const [key, value] of Object.entries(change.tags)) {
          if (value === null) delete tags[key];
          else tags[key] = value;
        }
        await this.put(change.name, current, tags);
        done.push(current);
      }
    } catch (error) {
      for (const previous of done.reverse())
        await this.put(nameOf(previous), previous, strings(previous.properties.tags)).catch(
          () => {},
        );
      throw this.context.problem(error, 'changing model tags');
    }
  }

  /** Model files are cached under the cache folder, complete or not at all. */
  async download(version: ModelVersion): Promise<string> {
    const dir = path.join(this.context.cacheDir('models'), version.name, String(version.version));
    if (await stat(dir).catch(() => undefined)) return dir;
    const storage = await this.context.storage();
    const blobPath = storage.pathOf(version.path);
    if (blobPath === undefined)
      throw new ConfigurationError(
        `the files of ${version.name} version ${version.version} are at ${version.path}, outside the workspace's default datastore: copy them there to use this version`,
      );
    const partial = `${dir}.partial-${process.pid}`;
    await rm(partial, { recursive: true, force: true });
    await mkdir(partial, { recursive: true });
    await storage.download(blobPath, partial);
    await rename(partial, dir).catch(async (error: unknown) => {
      // Another process finished the same download first.
      await rm(partial, { recursive: true, force: true });
      if (!(await stat(dir).catch(() => undefined))) throw error;
    });
    return dir;
  }

  private async put(name: string, current: ArmModelVersion, tags: Record<string, string>) {
    await this.context.call(`tagging ${name} version ${current.name}`, () =>
      this.context.client.modelVersions.createOrUpdate(
        this.context.rg,
        this.context.ws,
        name,
        current.name ?? '',
        { properties: { ...current.properties, tags } },
      ),
    );
  }

  private async byDigest(name: string, digest: string): Promise<ModelVersion | undefined> {
    return (await this.list(name, { tags: { content_digest: digest } }))[0];
  }

  /** From the container (created when missing, as the first version needs it). */
  private async nextVersion(name: string): Promise<number> {
    const { client, rg, ws } = this.context;
    const container = await client.modelContainers.get(rg, ws, name).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw this.context.problem(error, `reading model ${name}`);
    });
    if (!container) {
      await this.context.call(`creating model ${name}`, () =>
        client.modelContainers.createOrUpdate(rg, ws, name, {
          properties: { description: 'Registered by mlops-actions' },
        }),
      );
      return 1;
    }
    const { nextVersion, latestVersion } = container.properties;
    if (nextVersion && /^\d+$/.test(nextVersion)) return Number(nextVersion);
    if (latestVersion && /^\d+$/.test(latestVersion)) return Number(latestVersion) + 1;
    const versions = await this.list(name);
    return (versions.at(-1)?.version ?? 0) + 1;
  }
}

function nameOf(version: ArmModelVersion): string {
  return /\/models\/([^/]+)\/versions\//i.exec(version.id ?? '')?.[1] ?? '';
}

function toModelVersion(name: string, found: ArmModelVersion): ModelVersion {
  return {
    name,
    version: Number(found.name),
    id: found.id ?? '',
    createdAt: (found.systemData?.createdAt ?? new Date(0)).toISOString(),
    tags: strings(found.properties.tags),
    properties: strings(found.properties.properties),
    path: found.properties.modelUri ?? '',
  };
}

/** ARM's string maps allow null values; ours do not. */
export function strings(map: Record<string, string | null> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(map ?? {}).filter((entry): entry is [string, string] => entry[1] !== null),
  );
}
