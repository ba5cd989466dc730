import path from 'node:path';
import { fileDigest, trackedFiles, treeDigest } from '@mlops/artifacts';
import { createHash } from 'node:crypto';
import type { AzureContext } from './context.js';
import { isNotFound } from './errors.js';
import { folderFiles, type UploadFile } from './storage.js';

/** Names of the code asset holding every code snapshot the suite uploads. */
export const CODE_ASSET = 'mlops-code';
const NEVER_UPLOADED = /(^|\/)(\.git|\.mlops|__pycache__|node_modules)\//;

/** Digest of files (from disk or bytes), as the content-addressed upload path uses it. */
async function digestOf(files: readonly UploadFile[]): Promise<string> {
  const entries = await Promise.all(
    files.map(async (file) => ({
      path: file.path,
      digest:
        typeof file.source === 'string'
          ? await fileDigest(file.source)
          : createHash('sha256').update(file.source).digest('hex'),
    })),
  );
  return treeDigest(entries).replace(/^[a-z0-9]+:/i, '');
}

/** Uploads a local folder once per content; its `azureml://` URI for a job input. */
export async function uploadFolder(context: AzureContext, dir: string): Promise<string> {
  const files = await folderFiles(dir);
  const prefix = `LocalUpload/${await digestOf(files)}`;
  const storage = await context.storage();
  await storage.upload(prefix, files);
  return `${storage.uri(prefix)}/`;
}

/**
 * A snapshot of a code folder as a code asset version named by its digest:
 * (returns its id) the files git tracks there (all files for a folder git does not know, such
 * as an unpacked package), plus `extra` files made by the suite.
 */
export async function uploadCode(
  context: AzureContext,
  codeDir: string,
  extra: readonly UploadFile[] = [],
): Promise<string> {
  const tracked = await trackedFiles(codeDir, ['.']).catch(() => []);
  const files: UploadFile[] = tracked.length
    ? tracked.map((f) => ({ path: f.path, source: path.join(codeDir, f.path) }))
    : (await folderFiles(codeDir)).filter((f) => !NEVER_UPLOADED.test(`${f.path}`));
  files.push(...extra);
  const digest = await digestOf(files);
  const version = digest.slice(0, 16);
  const { client, rg, ws } = context;
  const id = `${context.workspaceId}/codes/${CODE_ASSET}/versions/${version}`;
  const existing = await client.codeVersions.get(rg, ws, CODE_ASSET, version).catch((error) => {
    if (isNotFound(error)) return undefined;
    throw context.problem(error, 'reading the code snapshot');
  });
  if (existing) return existing.id ?? id;
  const storage = await context.storage();
  const prefix = `LocalUpload/${digest}`;
  await storage.upload(prefix, files);
  const created = await context.call('creating the code snapshot', () =>
    client.codeVersions.createOrUpdate(rg, ws, CODE_ASSET, version, {
      properties: { codeUri: `${storage.uri(prefix)}/`, description: `Uploaded from ${codeDir}` },
    }),
  );
  return created.id ?? id;
}
