import { readFile } from 'node:fs/promises';
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
