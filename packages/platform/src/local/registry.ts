import { randomBytes } from 'node:crypto';
import { cp, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigurationError } from '@mlops/foundation';
import type { ModelRef, ModelVersion, RegisterRequest, Registry, TagChange } from '../port.js';
import type { LocalContext } from './context.js';
import { entries, readJson, writeJson } from './files.js';
import { withLock } from './lock.js';
import { checkName } from './names.js';
import { isAlive } from './processes.js';
import {
  closeJournal,
  readTagState,
  sameTagState,
  writeJournal,
  type TagJournal,
} from './tag-journal.js';

/** `registry/<name>/<version>/version.json`: a version folder without it is not a version. */
interface VersionRecord {
  name: string;
  version: number;
  createdAt: string;
  tags: Record<string, string>;
  properties: Record<string, string>;
}

/** A reader retries while tag changes keep completing under it; this many times at most. */
const READ_ATTEMPTS = 50;

/**
 * Model versions as folders: `registry/<name>/<version>/` holds `files/` and
 * `version.json`. A version is assembled in `staging/<pid>-<random>/` and
 * appears by one rename, so no reader or killed writer ever sees half of one.
 */
export class LocalRegistry implements Registry {
  constructor(private readonly context: LocalContext) {}

  async register(request: RegisterRequest): Promise<{ version: ModelVersion; created: boolean }> {
    const { name } = request;
    checkName('model', name);
    const source = await stat(request.sourceDir).catch(() => undefined);
    if (!source?.isDirectory()) {
      throw new ConfigurationError(
        `cannot register ${name}: the source folder ${request.sourceDir} does not exist`,
      );
    }
    const existing = await this.byDigest(name, request.contentDigest);
    if (existing) return { version: existing, created: false };

    const staging = path.join(
      this.context.stateDir,
      'staging',
      `${process.pid}-${randomBytes(4).toString('hex')}`,
    );
    try {
      await cp(request.sourceDir, path.join(staging, 'files'), {
        recursive: true,
        // The version holds files, never links back into a folder that may change.
        dereference: true,
      });
      this.context.fault('register:staged');
      return await this.locked(async () => {
        const registered = await this.byDigest(name, request.contentDigest);
        if (registered) return { version: registered, created: false };
        const record: VersionRecord = {
          name,
          version: (await this.highestVersion(name)) + 1,
          createdAt: this.context.now().toISOString(),
          tags: { ...request.tags, content_digest: request.contentDigest },
          properties: { ...request.properties },
        };
        await writeFile(path.join(staging, 'version.json'), `${JSON.stringify(record, null, 2)}\n`);
        await mkdir(this.modelDir(name), { recursive: true });
        // Fails rather than overwrites if the folder exists: versions never collide.
        await rename(staging, this.versionDir(name, record.version));
        this.context.fault('register:renamed');
        return { version: this.toModelVersion(record), created: true };
      });
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  async get(ref: ModelRef): Promise<ModelVersion | undefined> {
    checkName('model', ref.name);
    if (!Number.isInteger(ref.version) || ref.version < 1) return undefined;
    const [record] = await this.consistentRead(async () => {
      const one = await this.readRecord(ref.name, ref.version);
      return one ? [one] : [];
    });
    return record && this.toModelVersion(record);
  }

  async list(name: string, filter?: { tags?: Record<string, string> }): Promise<ModelVersion[]> {
    checkName('model', name);
    const wanted = Object.entries(filter?.tags ?? {});
    const records = await this.consistentRead(() => this.readRecords(name));
    return records
      .filter((record) => wanted.every(([key, value]) => record.tags[key] === value))
      .map((record) => this.toModelVersion(record));
  }

  async names(): Promise<string[]> {
    const names: string[] = [];
    for (const name of await entries(path.join(this.context.stateDir, 'registry'))) {
      if ((await this.readRecords(name)).length > 0) names.push(name);
    }
    return names.sort();
  }

  /** Local versions are folders already. */
  download(version: ModelVersion): Promise<string> {
    return Promise.resolve(version.path);
  }

  async setTags(changes: readonly TagChange[]): Promise<void> {
    for (const change of changes) checkName('model', change.name);
    if (changes.length === 0) return;
    await this.locked(async () => {
      const updated = new Map<string, VersionRecord>();
      for (const change of changes) {
        const key = `${change.name}/${change.version}`;
        const record = updated.get(key) ?? (await this.readRecord(change.name, change.version));
        if (!record) {
          throw new ConfigurationError(
            `cannot tag ${change.name} version ${change.version}: it is not registered in ${this.context.environment}`,
          );
        }
        const tags = { ...record.tags };
        for (const [tag, value] of Object.entries(change.tags)) {
          if (value === null) delete tags[tag];
          else tags[tag] = value;
        }
        updated.set(key, { ...record, tags });
      }
      const journal: TagJournal = {
        epoch: (await readTagState(this.context.stateDir)).epoch + 1,
        versions: [...updated.values()].map(({ name, version, tags }) => ({ name, version, tags })),
      };
      await writeJournal(this.context.stateDir, journal);
      this.context.fault('set-tags:journaled');
      await this.applyJournal(journal);
    });
  }

  /** Writes under the lock, after finishing what a killed writer left behind. */
  private locked<T>(work: () => Promise<T>): Promise<T> {
    return withLock(this.context.stateDir, async () => {
      const { journal } = await readTagState(this.context.stateDir);
      if (journal) await this.applyJournal(journal);
      await this.removeDeadStaging();
      return work();
    });
  }

  private async applyJournal(journal: TagJournal): Promise<void> {
    for (const [index, { name, version, tags }] of journal.versions.entries()) {
      const record = await this.readRecord(name, version);
      if (record) await writeJson(this.recordFile(name, version), { ...record, tags });
      if (index === 0) this.context.fault('set-tags:applied-one');
    }
    await closeJournal(this.context.stateDir, journal);
  }

  /** Staging folders of processes that no longer run: registers killed before they finished. */
  private async removeDeadStaging(): Promise<void> {
    const dir = path.join(this.context.stateDir, 'staging');
    for (const entry of await entries(dir)) {
      const pid = Number(entry.split('-')[0]);
      if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) {
        await rm(path.join(dir, entry), { recursive: true, force: true });
      }
    }
  }

  /**
   * Records read while no tag change completed, with a change in flight laid
   * over them: a reader sees every version of a setTags changed or none.
   */
  private async consistentRead(read: () => Promise<VersionRecord[]>): Promise<VersionRecord[]> {
    for (let attempt = 1; ; attempt++) {
      const before = await readTagState(this.context.stateDir);
      const records = await read();
      const after = await readTagState(this.context.stateDir);
      if (sameTagState(before, after)) {
        const changed = after.journal?.versions ?? [];
        return records.map((record) => {
          const change = changed.find(
            (c) => c.name === record.name && c.version === record.version,
          );
          return change ? { ...record, tags: change.tags } : record;
        });
      }
      if (attempt === READ_ATTEMPTS) {
        throw new Error(`the registry in ${this.context.stateDir} kept changing while being read`);
      }
    }
  }

  private async byDigest(name: string, digest: string): Promise<ModelVersion | undefined> {
    return (await this.list(name)).find((v) => v.tags.content_digest === digest);
  }

  /** Complete versions, oldest first. */
  private async readRecords(name: string): Promise<VersionRecord[]> {
    const records: VersionRecord[] = [];
    for (const version of await this.versionNumbers(name)) {
      const record = await this.readRecord(name, version);
      if (record) records.push(record);
    }
    return records;
  }

  private async readRecord(name: string, version: number): Promise<VersionRecord | undefined> {
    return readJson<VersionRecord>(this.recordFile(name, version));
  }

  /** Every numbered folder counts, complete or not, so a new version never lands on one. */
  private async highestVersion(name: string): Promise<number> {
    return Math.max(0, ...(await this.versionNumbers(name)));
  }

  private async versionNumbers(name: string): Promise<number[]> {
    return (await entries(this.modelDir(name)))
      .filter((entry) => /^[1-9]\d*$/.test(entry))
      .map(Number)
      .sort((a, b) => a - b);
  }

  private modelDir(name: string): string {
    return path.join(this.context.stateDir, 'registry', name);
  }

  private versionDir(name: string, version: number): string {
    return path.join(this.modelDir(name), String(version));
  }

  private recordFile(name: string, version: number): string {
    return path.join(this.versionDir(name, version), 'version.json');
  }

  private toModelVersion(record: VersionRecord): ModelVersion {
    return {
      name: record.name,
      version: record.version,
      id: `${this.context.environment}/${record.name}/${record.version}`,
      createdAt: record.createdAt,
      tags: { ...record.tags },
      properties: { ...record.properties },
      path: path.join(this.versionDir(record.name, record.version), 'files'),
    };
  }
}
