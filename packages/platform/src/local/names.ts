import { randomBytes } from 'node:crypto';
import { ConfigurationError } from '@mlops/foundation';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

/** Names become folder and file names, so nothing else (no '/', no '..') gets through. */
export function checkName(kind: 'model' | 'pipeline' | 'endpoint', name: string): void {
  if (!NAME.test(name)) {
    throw new ConfigurationError(
      `invalid ${kind} name ${JSON.stringify(name)}: use letters, digits, '-', '_' and '.', ` +
        'starting with a letter or digit, at most 255 characters',
    );
  }
}

const ID = /^[a-z]+-\d{8}T\d{6}-[0-9a-f]{4}$/;

/** `<prefix>-<yyyymmddThhmmss>-<4 hex>`: sorts by time (UTC). */
export function newId(prefix: string, at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').slice(0, 15);
  return `${prefix}-${stamp}-${randomBytes(2).toString('hex')}`;
}

/** Ids come back from users too; only well-formed ones are looked up on disk. */
export function isId(id: string): boolean {
  return ID.test(id);
}
