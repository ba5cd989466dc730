import { ConfigurationError, isConfigurationError, messageOf } from '@mlops/foundation';

/** What an ARM error is about, for messages. */
export interface Scope {
  /** `environment "dev"`. */
  subject: string;
  /** `workspace ml-dev (resource group rg, subscription s)`. */
  workspace: string;
  clientId?: string;
}

interface RestLike {
  statusCode?: number;
  code?: string;
  message?: string;
}

/** Signed URLs, keys and tokens never reach a log or a message. */
export function redact(text: string): string {
  return text
    .replace(/([?&](?:sig|se|skoid|sktid|st)=)[^&\s"']+/gi, '$1REDACTED')
    .replace(/(Bearer|SharedKey)\s+[^\s"']+/gi, '$1 REDACTED')
    .replace(/(AccountKey=)[^;\s"']+/gi, '$1REDACTED');
}

/**
 * One line for a failed Azure call: what we were doing, and for the errors a
 * person can fix (sign-in, role, wrong coordinates) what to do.
 */
export function azureProblem(error: unknown, doing: string, scope: Scope): Error {
  if (isConfigurationError(error)) return error;
  const rest = error as RestLike;
  const detail = redact(firstLine(messageOf(error)));
  const who = scope.clientId ? `identity ${scope.clientId}` : 'the signed-in identity';
  if (rest.statusCode === 403 || rest.code === 'AuthorizationFailed')
    return new ConfigurationError(
      `${scope.subject}: ${who} has no access to ${scope.workspace} (${doing}): give it the "AzureML Data Scientist" role on the workspace`,
    );
  if (rest.statusCode === 401)
    return new ConfigurationError(
      `${scope.subject}: Azure did not accept the sign-in of ${who} (${detail}): check tenant-id and client-id`,
    );
  if (rest.statusCode === 404 && /workspace/i.test(`${rest.code} ${detail}`))
    return new ConfigurationError(
      `${scope.subject}: ${scope.workspace} does not exist: check subscription-id, resource-group and workspace in mlops.yaml`,
    );
  const code = rest.code && !detail.includes(rest.code) ? `${rest.code}: ` : '';
  return new Error(`${doing} in ${scope.workspace} failed: ${code}${detail}`);
}

/** A failed HTTP answer as the error the SDK would throw: status, and ARM's code and message. */
export function httpFailure(status: number, text: string): Error {
  let error: { code?: string; message?: string } | undefined;
  try {
    error = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
  } catch {
    error = undefined;
  }
  return Object.assign(new Error(error?.message ?? (text || `HTTP ${status}`)), {
    statusCode: status,
    code: error?.code,
  });
}

export function firstLine(text: string): string {
  return (text.split('\n').find((line) => line.trim()) ?? text).trim();
}

/** RestError's status, for the calls where "not there" is an answer. */
export function isNotFound(error: unknown): boolean {
  return (error as RestLike).statusCode === 404;
}

export function isConflict(error: unknown): boolean {
  return (error as RestLike).statusCode === 409;
}
