import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { EmulatedClient, EmuRequest, EmuResponse, Json } from './types.js';

/*
 * Identity: the Entra token endpoint (client secret and GitHub-federated client assertion),
 * the metadata MSAL reads before it asks for a token, the GitHub Actions OIDC token service,
 * and the bearer tokens the other services check. Tokens are HMAC-signed JWTs bound to
 * (tenant, client, audience), so a token from another emulator instance or a forged one fails.
 */

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
export const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';
/** `aud` of tokens from `issueToken` without a scope: every emulated service accepts them. */
const ANY_AUDIENCE = 'urn:arm-emulator:any';

export interface TokenClaims {
  aud: string;
  iss: string;
  tid: string;
  appid: string;
  oid: string;
  exp: number;
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A stable object id for a client, as Entra has one per service principal. */
export function objectIdOf(clientId: string): string {
  const h = createHash('sha256').update(`oid:${clientId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function decodeJwt(token: string): Json | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** Resource of a scope: 'https://management.azure.com/.default' -> 'https://management.azure.com'. */
export function resourceOfScope(scope: string): string {
  return scope.replace(/\/\.default$/, '').replace(/\/+$/, '');
}

export class TokenIssuer {
  private readonly key = randomBytes(32);

  constructor(private readonly tenantId: string) {}

  /** `scope` undefined: a token every emulated service accepts (for fake TokenCredentials). */
  issue(clientId: string, scope?: string, ttlSeconds = 3600): string {
    const now = Math.floor(Date.now() / 1000);
    const claims: TokenClaims & Json = {
      aud: scope ? `${resourceOfScope(scope)}/` : ANY_AUDIENCE,
      iss: `https://sts.windows.net/${this.tenantId}/`,
      iat: now,
      nbf: now,
      exp: now + ttlSeconds,
      tid: this.tenantId,
      appid: clientId,
      azp: clientId,
      oid: objectIdOf(clientId),
      sub: objectIdOf(clientId),
      idtyp: 'app',
      ver: '1.0',
      uti: randomUUID(),
    };
    const head = b64url({ typ: 'JWT', alg: 'HS256', kid: 'arm-emulator' });
    const body = b64url(claims);
    const sig = createHmac('sha256', this.key).update(`${head}.${body}`).digest('base64url');
    return `${head}.${body}.${sig}`;
  }

  /**
   * Checks an `Authorization: Bearer` header. `audiences`: resources accepted (no trailing
   * slash); tokens issued without a scope pass any audience.
   */
  verify(
    authorization: string | undefined,
    audiences: string[],
  ): { ok: true; claims: TokenClaims } | { ok: false; code: string; message: string } {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match?.[1]) {
      return {
        ok: false,
        code: 'AuthenticationFailed',
        message: "Authentication failed. The 'Authorization' header is missing.",
      };
    }
    const [head, body, sig] = match[1].split('.');
    const expected = createHmac('sha256', this.key).update(`${head}.${body}`).digest();
    const given = Buffer.from(sig ?? '', 'base64url');
    if (!head || !body || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return {
        ok: false,
        code: 'InvalidAuthenticationToken',
        message: 'The access token is invalid.',
      };
    }
    const claims = decodeJwt(match[1]) as unknown as TokenClaims;
    if (claims.exp * 1000 < Date.now()) {
      return {
        ok: false,
        code: 'ExpiredAuthenticationToken',
        message: 'The access token expiry UTC time is earlier than current UTC time.',
      };
    }
    const aud = claims.aud.replace(/\/+$/, '');
    if (claims.aud !== ANY_AUDIENCE && !audiences.some((a) => a.replace(/\/+$/, '') === aud)) {
      return {
        ok: false,
        code: 'InvalidAuthenticationTokenAudience',
        message: `The access token has been obtained for wrong audience or resource '${claims.aud}'. It should exactly match with one of the allowed audiences '${audiences.join("','")}'.`,
      };
    }
    return { ok: true, claims };
  }
}

/** Entra ID (login host): metadata MSAL validates, and the v2.0 token endpoint. */
export class EntraService {
  constructor(
    private readonly tenantId: string,
    private readonly clients: EmulatedClient[] | undefined,
    private readonly issuer: TokenIssuer,
  ) {}

  handle(req: EmuRequest): EmuResponse {
    const origin = req.url.origin;
    const segments = req.url.pathname.split('/').filter(Boolean);
    const tenant = segments[0] ?? '';
    const rest = segments.slice(1).join('/').toLowerCase();
    if (rest === 'discovery/instance') {
      const authority = new URL(req.url.searchParams.get('authorization_endpoint') ?? origin);
      return ok({
        tenant_discovery_endpoint: `${origin}/${tenant}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [
          {
            preferred_network: authority.host,
            preferred_cache: authority.host,
            aliases: [authority.host],
          },
        ],
      });
    }
    if (rest === 'v2.0/.well-known/openid-configuration') {
      if (!this.knownTenant(tenant)) return tenantNotFound(tenant, 'invalid_tenant');
      const base = `${origin}/${tenant}`;
      return ok({
        token_endpoint: `${base}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: [
          'client_secret_post',
          'private_key_jwt',
          'client_secret_basic',
        ],
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: `${origin}/${this.tenantId}/v2.0`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${origin}/oidc/userinfo`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'tid'],
        kerberos_endpoint: `${base}/kerberos`,
        tenant_region_scope: 'EU',
        cloud_instance_name: 'microsoftonline.com',
        cloud_graph_host_name: 'graph.windows.net',
        msgraph_host: 'graph.microsoft.com',
        rbac_url: 'https://pas.windows.net',
      });
    }
    if (rest === 'discovery/v2.0/keys') return ok({ keys: [] });
    if (rest === 'oauth2/v2.0/token' && req.method === 'POST') return this.token(tenant, req);
    return entraError(
      404,
      'invalid_request',
      90010,
      `AADSTS90010: Unsupported request ${req.method} ${req.url.pathname}.`,
    );
  }

  private knownTenant(tenant: string): boolean {
    return tenant.toLowerCase() === this.tenantId.toLowerCase();
  }

  private token(tenant: string, req: EmuRequest): EmuResponse {
    if (!this.knownTenant(tenant)) return tenantNotFound(tenant, 'invalid_request');
    const form = new URLSearchParams(req.body.toString('utf8'));
    const clientId = form.get('client_id') ?? '';
    const scope = (form.get('scope') ?? '').split(' ').find((s) => s.endsWith('/.default'));
    if (form.get('grant_type') !== 'client_credentials') {
      return entraError(
        400,
        'unsupported_grant_type',
        70003,
        `AADSTS70003: The app requested an unsupported grant type '${form.get('grant_type')}'.`,
      );
    }
    if (!scope) {
      return entraError(
        400,
        'invalid_scope',
        1002012,
        'AADSTS1002012: The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).',
      );
    }
    const client = this.clients?.find((c) => c.clientId === clientId);
    if (this.clients && !client) {
      return entraError(
        400,
        'unauthorized_client',
        700016,
        `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${this.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
    }
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    if (secret !== null) {
      if (client && client.secret !== secret) {
        return entraError(
          401,
          'invalid_client',
          7000215,
          `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
        );
      }
    } else if (assertion !== null) {
      if (
        form.get('client_assertion_type') !==
        'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
      ) {
        return entraError(
          400,
          'invalid_request',
          50027,
          'AADSTS50027: JWT token is invalid or malformed.',
        );
      }
      const claims = decodeJwt(assertion);
      if (!claims) {
        return entraError(
          400,
          'invalid_request',
          50027,
          'AADSTS50027: JWT token is invalid or malformed.',
        );
      }
      const aud = Array.isArray(claims.aud) ? (claims.aud as string[]) : [String(claims.aud)];
      const iss = String(claims.iss);
      const sub = String(claims.sub);
      if (
        !aud.includes(FEDERATION_AUDIENCE) ||
        iss !== GITHUB_ISSUER ||
        (client?.subject !== undefined && client.subject !== sub)
      ) {
        return entraError(
          400,
          'invalid_request',
          70021,
          `AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: '${iss}'. Assertion Subject: '${sub}'. Assertion Audience: '${aud.join(',')}'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
        );
      }
      if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) {
        return entraError(
          400,
          'invalid_client',
          700024,
          'AADSTS700024: Client assertion is not within its valid time range.',
        );
      }
    } else {
      return entraError(
        401,
        'invalid_client',
        7000218,
        "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    }
    return ok({
      token_type: 'Bearer',
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: this.issuer.issue(clientId, scope),
    });
  }
}

/** GitHub Actions' ID token service (ACTIONS_ID_TOKEN_REQUEST_URL). */
export class GithubOidcService {
  subject: string;

  constructor(
    readonly requestToken: string,
    subject: string,
  ) {
    this.subject = subject;
  }

  handle(req: EmuRequest): EmuResponse {
    if (req.headers.authorization !== `Bearer ${this.requestToken}`) {
      return {
        status: 401,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'Unauthorized' }),
      };
    }
    if (!req.url.pathname.endsWith('/idtoken')) {
      return {
        status: 404,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'Not Found' }),
      };
    }
    const now = Math.floor(Date.now() / 1000);
    const [, repository = 'acme/repo'] = /^repo:([^:]+):/.exec(this.subject) ?? [];
    const token = [
      b64url({ typ: 'JWT', alg: 'none' }),
      b64url({
        jti: randomUUID(),
        sub: this.subject,
        aud:
          req.url.searchParams.get('audience') ?? `https://github.com/${repository.split('/')[0]}`,
        iss: GITHUB_ISSUER,
        repository,
        ref: 'refs/heads/main',
        nbf: now - 5,
        iat: now - 5,
        exp: now + 300,
      }),
      '',
    ].join('.');
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 1, value: token }),
    };
  }
}

function ok(body: unknown): EmuResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

function entraError(status: number, error: string, code: number, description: string): EmuResponse {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({
      error,
      error_description: `${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    }),
  };
}

function tenantNotFound(tenant: string, error: string): EmuResponse {
  return entraError(
    400,
    error,
    90002,
    `AADSTS90002: Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  );
}
