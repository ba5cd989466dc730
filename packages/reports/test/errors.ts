import { expect } from 'vitest';
import { ConfigurationError } from '@mlops/foundation';

/** The message of the ConfigurationError that `call` throws or rejects with, to compare exactly. */
export async function configurationErrorOf(call: () => unknown): Promise<string> {
  try {
    await call();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigurationError, but nothing was thrown');
}
