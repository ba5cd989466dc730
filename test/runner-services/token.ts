/*
 * ACTIONS_RUNTIME_TOKEN as the @actions libraries read it: a JWT that is decoded, never
 * verified, whose `scp` claim holds `Actions.Results:<runBackendId>:<jobBackendId>`.
 * The fake issues an unsigned token (alg "none") and checks the same claim on every Twirp call.
 */

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** An unsigned JWT with the scopes a runner job token carries. */
export function createRuntimeToken(runBackendId: string, jobBackendId: string): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: 'runner-services-fake',
    aud: 'vso:runner-services-fake',
    nbf: now - 60,
    iat: now - 60,
    exp: now + 6 * 3600,
    scp: [
      'Actions.GenericRead:00000000-0000-0000-0000-000000000000',
      `Actions.UploadArtifacts:${runBackendId}:${jobBackendId}`,
      `Actions.Results:${runBackendId}:${jobBackendId}`,
    ].join(' '),
  };
  return `${base64url({ typ: 'JWT', alg: 'none' })}.${base64url(payload)}.`;
}

export type TokenCheck = { ok: true } | { ok: false; reason: string };

/** Checks an Authorization header the way the results service needs it to be. */
export function checkBearer(
  authorization: string | undefined,
  runBackendId: string,
  jobBackendId: string,
): TokenCheck {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match?.[1]) return { ok: false, reason: 'missing bearer token' };
  const parts = match[1].split('.');
  if (parts.length !== 3 || !parts[1]) return { ok: false, reason: 'malformed token' };
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed token payload' };
  }
  const scp =
    typeof claims === 'object' && claims !== null ? (claims as { scp?: unknown }).scp : undefined;
  if (typeof scp !== 'string') return { ok: false, reason: 'token has no scp claim' };
  const wanted = `Actions.Results:${runBackendId}:${jobBackendId}`;
  if (!scp.split(' ').includes(wanted)) {
    return { ok: false, reason: `token scp lacks ${wanted}` };
  }
  return { ok: true };
}
