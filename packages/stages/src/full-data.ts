import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileDigest } from '@mlops/artifacts';
import type { LoadedConfig } from '@mlops/config';
import { ConfigurationError } from '@mlops/foundation';
import { readTable, type Table } from '@mlops/data';

/** A platform data URI (azureml://…, https://…) rather than a path. */
export const isUri = (location: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(location);

export interface FullData {
  table: Table;
  /** data.full as written in the config. */
  given: string;
  file: string;
  digest: string;
  bytes: number;
}

/**
 * The full data (`data.full`) as a table, for the suite to split per model
 * on the runner. It must be a local CSV file: a URI cannot be split here.
 */
export async function readFullData(loaded: LoadedConfig): Promise<FullData> {
  const given = loaded.config.data.full;
  if (!given) {
    throw new ConfigurationError(
      `data.full is not set in ${loaded.file}: set it to the CSV file of the full data to train on the platform`,
    );
  }
  if (isUri(given)) {
    throw new ConfigurationError(
      `data.full is a URI (${given}), but training splits the full data on the runner: set data.full to a local CSV file (download it in an earlier step)`,
    );
  }
  const file = path.resolve(loaded.projectDir, given);
  const table = await readTable(
    file,
    'data.full',
    'generate or download the full data there, or fix data.full in mlops.yaml',
  );
  const [digest, info] = await Promise.all([fileDigest(file), stat(file)]);
  return { table, given, file, digest, bytes: info.size };
}

/** Whether data.full names a local file that exists (the flows train on the platform only then). */
export async function hasFullData(loaded: LoadedConfig): Promise<boolean> {
  const given = loaded.config.data.full;
  if (!given || isUri(given)) return false;
  return (await stat(path.resolve(loaded.projectDir, given)).catch(() => null))?.isFile() ?? false;
}
