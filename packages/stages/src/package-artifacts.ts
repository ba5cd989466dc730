import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { defineAction } from '@mlops/action-kit';
import {
  DigestCache,
  gitRevision,
  manifestDigest,
  restoreDigestCache,
  saveDigestCache,
  trackedFiles,
  treeDigest,
  writeArchive,
  type ArchiveEntry,
  type DataRecord,
  type FileRecord,
  type Manifest,
  type ModelRecord,
} from '@mlops/artifacts';
import { loadConfig, selectModels, type LoadedConfig } from '@mlops/config';
import { ConfigurationError, writeFileAtomic } from '@mlops/foundation';
import { artifactStore } from './artifact-store.js';
import { isUri } from './full-data.js';
import { gateRecords, metricRecord } from './model-validation.js';
import { renderPackageReport } from './package-report.js';
import { runContext } from './run-context.js';
import { TOOL } from './tool.js';
import { readValidation, validationDir } from './validation-results.js';

export interface PackageArtifactsInputs {
  workingDirectory: string;
  config: string;
  models: string[];
  fromStage: 'pr' | 'main';
  name?: string;
}

/** The digest cache, in the project. */
const DIGEST_CACHE = '.mlops/cache/digests.json';

export const packageArtifacts = defineAction<PackageArtifactsInputs>({
  name: 'package-artifacts',
  title: 'Package artifacts',
  description:
    'Packages the git-tracked code, the trained models and a lineage manifest into one deterministic archive, stored as a workflow artifact (a local folder off a runner).',
  inputs: {
    models: { description: 'Model names or globs; empty for every model validated.', default: '' },
    'from-stage': {
      description: 'The basic-model-validate run whose trained models are packaged: pr or main.',
      default: 'main',
      values: ['pr', 'main'],
    },
    name: {
      description: 'Artifact name; empty for <project>-<first 12 of the manifest digest>.',
      default: '',
    },
  },
  outputs: {
    'artifact-name': 'Name of the stored package.',
    'artifact-id': 'Artifact id on the runner, or the package folder locally.',
    digest: 'sha256 of the archive (hex).',
    manifest: 'Path of the lineage manifest (manifest.json).',
  },
  parseInputs: (read) => ({
    workingDirectory: read.string('working-directory'),
    config: read.string('config'),
    models: read.list('models'),
    fromStage: read.enum('from-stage'),
    name: read.optional('name'),
  }),
  execute: async (inputs, deps) => {
    const loaded = await loadConfig({
      workingDirectory: inputs.workingDirectory,
      config: inputs.config,
    });
    const run = runContext(deps.baseEnv);
    const validated = await readValidation(loaded.projectDir, inputs.fromStage);
    const selected = selectModels(loaded.models, inputs.models).filter((m) =>
      validated.has(m.name),
    );
    if (!selected.length) {
      throw new ConfigurationError(
        `no model of this selection was trained by basic-model-validate (stage ${inputs.fromStage}): run it first`,
      );
    }
    const failed = selected.filter((m) => !validated.get(m.name)?.passed);
    if (failed.length) {
      throw new ConfigurationError(
        `${failed.length} selected models failed basic-model-validate (${failed
          .map((m) => m.name)
          .slice(0, 3)
          .join(
            ', ',
          )}${failed.length > 3 ? ', …' : ''}): fix them or leave them out with the models input`,
      );
    }

    const cacheFile = path.join(loaded.projectDir, DIGEST_CACHE);
    const cachePath = path.relative(deps.repositoryRoot, cacheFile);
    const restoredKey = run.onRunner
      ? await restoreDigestCache(cachePath).catch(() => undefined)
      : undefined;
    const digests = await DigestCache.open(cacheFile);
    const entries: ArchiveEntry[] = [];
    const code = await collectCode(loaded, digests, entries);
    const models: ModelRecord[] = [];
    for (const model of selected) {
      const result = validated.get(model.name)!;
      const dir = path.join(
        validationDir(loaded.projectDir, inputs.fromStage),
        model.name,
        'train',
        'model',
      );
      const files = await collectFolder(dir, `models/${model.name}`, digests, entries);
      models.push({
        name: model.name,
        params: model.params,
        epochs: result.epochs,
        digest: treeDigest(
          files.map((f) => ({ ...f, path: f.path.slice(`models/${model.name}/`.length) })),
        ),
        files,
        metrics: metricRecord(result.metrics),
        baseline: metricRecord(result.baseline),
        gates: gateRecords(result.gates),
      });
    }
    const revision = await gitRevision(loaded.projectDir);
    const objects = await gitObjects(loaded);
    const manifest: Manifest = {
      schema: 1,
      tool: TOOL,
      project: loaded.config.name,
      git: {
        sha: deps.baseEnv.GITHUB_SHA || revision.sha,
        ref: deps.baseEnv.GITHUB_REF || revision.ref,
        dirty: revision.dirty,
      },
      run: { id: run.id, url: run.url },
      stage: inputs.fromStage,
      code,
      models,
      data: await dataRecords(loaded, digests, objects),
      environment: await Promise.all(
        loaded.config.package.environment.map((file) =>
          fileRecord(loaded.projectDir, file, digests, objects),
        ),
      ),
      thresholds: {
        gates: loaded.config.metrics.gates,
        minCoverage: loaded.config.test?.['min-coverage'],
        stalenessDays: loaded.config['staleness-days'],
      },
    };
    await digests.save();
    if (run.onRunner) await saveDigestCache(cachePath, restoredKey).catch(() => false);

    const digest = manifestDigest(manifest);
    const name = inputs.name ?? `${loaded.config.name}-${digest.slice(0, 12)}`;
    const store = artifactStore(loaded.projectDir, deps.baseEnv, run.url);
    const folder = store.folder(name);
    const manifestFile = path.join(folder, 'manifest.json');
    const archiveFile = path.join(folder, `${name}.tar`);
    const manifestText = JSON.stringify(manifest, null, 2) + '\n';
    const reused = await samePackage(manifestFile, archiveFile, manifestText);
    let archive: { digest: string; bytes: number };
    if (reused) {
      archive = reused;
    } else {
      await writeFileAtomic(manifestFile, manifestText);
      archive = await writeArchive(
        [
          ...entries,
          {
            path: 'manifest.json',
            source: manifestFile,
            size: Buffer.byteLength(manifestText),
            executable: false,
          },
        ],
        archiveFile,
      );
      await writeFileAtomic(
        path.join(folder, 'archive.sha256'),
        `${archive.digest}  ${name}.tar\n`,
      );
    }
    deps.progress(
      `${reused ? 'Reused' : 'Wrote'} ${name}.tar (${archive.bytes} bytes, sha256 ${archive.digest.slice(0, 12)}…); digests: ${digests.hits} cached, ${digests.misses} computed`,
    );
    const stored = await store.store(name);
    return {
      outputs: {
        'artifact-name': name,
        'artifact-id': stored.id,
        digest: archive.digest,
        manifest: manifestFile,
      },
      report: renderPackageReport({
        name,
        manifest,
        archive,
        stored,
        reused: !!reused,
        cache: digests,
        run,
      }),
    };
  },
});

/** The same manifest text and an intact archive from an earlier run: nothing to rewrite. */
async function samePackage(
  manifestFile: string,
  archiveFile: string,
  manifestText: string,
): Promise<{ digest: string; bytes: number } | undefined> {
  try {
    if ((await readFile(manifestFile, 'utf8')) !== manifestText) return undefined;
    const [line] = (
      await readFile(path.join(path.dirname(archiveFile), 'archive.sha256'), 'utf8')
    ).split('  ');
    return { digest: line ?? '', bytes: (await stat(archiveFile)).size };
  } catch {
    return undefined;
  }
}

async function collectCode(
  loaded: LoadedConfig,
  digests: DigestCache,
  entries: ArchiveEntry[],
): Promise<Manifest['code']> {
  const tracked = await trackedFiles(loaded.projectDir, loaded.config.package.code);
  if (!tracked.length) {
    throw new ConfigurationError(
      `package.code (${loaded.config.package.code.join(', ')}) holds no git-tracked file: add the code to git or fix the paths`,
    );
  }
  const files: FileRecord[] = [];
  for (const file of tracked) {
    const source = path.join(loaded.projectDir, file.path);
    const info = await stat(source);
    const digest = await digests.digest(source, file.object);
    files.push({ path: `code/${file.path}`, digest, bytes: info.size });
    entries.push({
      path: `code/${file.path}`,
      source,
      size: info.size,
      executable: file.executable,
    });
  }
  return { digest: treeDigest(files), files };
}

async function collectFolder(
  dir: string,
  prefix: string,
  digests: DigestCache,
  entries: ArchiveEntry[],
): Promise<FileRecord[]> {
  const names = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
  const files: FileRecord[] = [];
  for (const name of names) {
    const source = path.join(dir, name);
    const info = await stat(source);
    files.push({
      path: `${prefix}/${name}`,
      digest: await digests.digest(source),
      bytes: info.size,
    });
    entries.push({
      path: `${prefix}/${name}`,
      source,
      size: info.size,
      executable: (info.mode & 0o111) !== 0,
    });
  }
  return files;
}

/** git's object ids of the data and lock files it tracks, so their digests survive a fresh checkout. */
async function gitObjects(loaded: LoadedConfig): Promise<Map<string, string>> {
  const { data, package: packaging } = loaded.config;
  const files = [data.sample, ...(data.full ? [data.full] : []), ...packaging.environment];
  const tracked = await trackedFiles(
    loaded.projectDir,
    files.filter((f) => !isUri(f)),
  );
  return new Map(tracked.map((f) => [f.path, f.object]));
}

async function fileRecord(
  projectDir: string,
  file: string,
  digests: DigestCache,
  objects: Map<string, string>,
): Promise<FileRecord> {
  const source = path.resolve(projectDir, file);
  const info = await stat(source).catch(() => {
    throw new ConfigurationError(
      `${file} (listed in mlops.yaml) does not exist in ${projectDir}: fix the path`,
    );
  });
  const object = objects.get(path.relative(projectDir, source).split(path.sep).join('/'));
  return { path: file, digest: await digests.digest(source, object), bytes: info.size };
}

/** Digests of the sample, and of the full data when it is a local file; a URI is recorded as is. */
async function dataRecords(
  loaded: LoadedConfig,
  digests: DigestCache,
  objects: Map<string, string>,
): Promise<Manifest['data']> {
  const { sample, full } = loaded.config.data;
  const records: Manifest['data'] = {
    sample: await fileRecord(loaded.projectDir, sample, digests, objects),
  };
  if (full) {
    const local =
      !isUri(full) && (await stat(path.resolve(loaded.projectDir, full)).catch(() => null));
    records.full = local
      ? await fileRecord(loaded.projectDir, full, digests, objects)
      : ({ path: full } satisfies DataRecord);
  }
  return records;
}
