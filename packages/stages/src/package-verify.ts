import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  extractArchive,
  fileDigest,
  type FileRecord,
  type Manifest,
  type ModelRecord,
} from '@mlops/artifacts';
import { ConfigurationError, readUserFile } from '@mlops/foundation';

export interface OpenedPackage {
  name: string;
  manifest: Manifest;
  /** Where the archive was unpacked; `models/<name>/` holds each model's files. */
  dir: string;
  dispose(): Promise<void>;
}

/**
 * Unpacks a package and checks it against its manifest: the manifest inside
 * the archive must be the one beside it, and every file its digest. Anything
 * else means the package changed after packaging and must not be registered.
 */
export async function openPackage(
  folder: string,
  name: string,
  workDir: string,
): Promise<OpenedPackage> {
  const manifestFile = path.join(folder, 'manifest.json');
  const outer = await readUserFile(
    manifestFile,
    'package manifest',
    `does not exist: package ${name} is incomplete; run package-artifacts again`,
  );
  const dir = await mkdtemp(path.join(workDir, `${name}-`));
  const dispose = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    await extractArchive(path.join(folder, `${name}.tar`), dir);
    const inner = await readFile(path.join(dir, 'manifest.json'), 'utf8').catch(() => '');
    if (inner !== outer) {
      throw new ConfigurationError(
        `package ${name}: the manifest inside the archive differs from ${manifestFile} (tampered?): run package-artifacts again`,
      );
    }
    return { name, manifest: JSON.parse(inner) as Manifest, dir, dispose };
  } catch (error) {
    await dispose();
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ConfigurationError(
        `package ${name} has no archive ${name}.tar in ${folder}: run package-artifacts again`,
      );
    }
    throw error;
  }
}

/** Problems of one model's files against the manifest; empty when they match. */
export function verifyModel(opened: OpenedPackage, model: ModelRecord): Promise<string[]> {
  return verifyFolder(opened, `models/${model.name}`, model.files);
}

/** Problems of the packaged code (`code/`) against the manifest; empty when it matches. */
export function verifyCode(opened: OpenedPackage): Promise<string[]> {
  return verifyFolder(opened, 'code', opened.manifest.code.files);
}

async function verifyFolder(
  opened: OpenedPackage,
  folder: string,
  records: readonly FileRecord[],
): Promise<string[]> {
  const dir = path.join(opened.dir, folder);
  const present = (await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []))
    .filter((e) => e.isFile())
    .map(
      (e) =>
        `${folder}/${path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/')}`,
    );
  const listed = new Set(records.map((f) => f.path));
  const problems = present.filter((p) => !listed.has(p)).map((p) => `${p} is not in the manifest`);
  for (const file of records) {
    const digest = await fileDigest(path.join(opened.dir, file.path)).catch(() => undefined);
    if (digest === undefined) problems.push(`${file.path} is missing`);
    else if (digest !== file.digest)
      problems.push(`${file.path} does not match its manifest digest`);
  }
  return problems;
}
