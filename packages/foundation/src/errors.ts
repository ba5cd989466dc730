/**
 * A mistake the user can fix (config, inputs, data, their command's output).
 * Everything else that is thrown is treated as a bug or an outage.
 */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** The message of any thrown value, so a top-level wrapper never loses it. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/** True when the error is the user's to fix rather than ours. */
export function isConfigurationError(error: unknown): error is ConfigurationError {
  return error instanceof ConfigurationError;
}
