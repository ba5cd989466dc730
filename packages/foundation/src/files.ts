import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigurationError } from './errors.js';

/**
 * Reads a file the user's config or commands name. A missing file gets
 * `missing`, which says what to do ("does not exist: check the path …");
 * any other failure names its error code.
 */
export async function readUserFile(file: string, what: string, missing: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigurationError(
      code === 'ENOENT'
        ? `${what} ${file} ${missing}`
        : `${what} ${file} cannot be read (${code ?? String(error)})`,
    );
  }
}

/** Writes a file whole or not at all (temp file, then rename): readers never see half. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
