import { randomUUID } from 'node:crypto';
import type { EmuResponse, Json } from './types.js';

/*
 * Response builders. ARM errors are `{ error: { code, message, details? } }` with the
 * x-ms-request-id/correlation headers every ARM answer carries.
 */

export function armHeaders(extra: Record<string, string> = {}): Record<string, string> {
  const id = randomUUID();
  return {
    'content-type': 'application/json; charset=utf-8',
    'x-ms-request-id': id,
    'x-ms-correlation-request-id': id,
    date: new Date().toUTCString(),
    ...extra,
  };
}

export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): EmuResponse {
  return {
    status,
    headers: armHeaders(headers),
    body: body === undefined ? undefined : JSON.stringify(body),
  };
}

export function armError(
  status: number,
  code: string,
  message: string,
  extra: { details?: Json[]; headers?: Record<string, string> } = {},
): EmuResponse {
  const error: Json = { code, message };
  if (extra.details) error.details = extra.details;
  return json(status, { error }, extra.headers);
}

export function notFound(what: string, name: string): EmuResponse {
  return armError(404, 'ResourceNotFound', `The ${what} '${name}' could not be found.`);
}

/** 400 for a body that fails validation; the message names the field. */
export function badRequest(field: string, message: string): EmuResponse {
  return armError(400, 'UserError', `${field}: ${message}`, {
    details: [{ code: 'BadArgument', message: `${field}: ${message}`, target: field }],
  });
}

/** Thrown by handlers to answer with an ARM error from deep inside a helper. */
export class ArmFailure extends Error {
  constructor(readonly response: EmuResponse) {
    super(typeof response.body === 'string' ? response.body : `status ${response.status}`);
  }
}
