import type { TokenCredential } from '@azure/core-auth';
import type { HttpClient } from '@azure/core-rest-pipeline';
import {
  AzureCliCredential,
  ClientAssertionCredential,
  ClientSecretCredential,
} from '@azure/identity';
import { ConfigurationError, messageOf } from '@mlops/foundation';
import { firstLine } from './errors.js';

export type AzureAuth = 'oidc' | 'secret' | 'cli';

/** The audience GitHub's ID token must carry for Entra workload identity federation. */
export const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';
const PUBLIC_AUTHORITY = 'https://login.microsoftonline.com';

export interface SignInOptions {
  /** For messages: `environment "prod"`. */
  subject: string;
  auth: AzureAuth;
  tenantId?: string;
  clientId?: string;
  /** Only for `auth: secret`. */
  clientSecret?: string;
  authorityHost?: string;
  /** GitHub's ID token for an audience; undefined when the job has no `id-token: write`. */
  idToken?: (audience: string) => Promise<string>;
  httpClient?: HttpClient;
}

/**
 * The credential of an Azure environment. OIDC federation is the default: the
 * callback fetches a fresh GitHub ID token whenever Entra needs an assertion,
 * so jobs longer than the token's lifetime keep working.
 */
export function signIn(options: SignInOptions): TokenCredential {
  const { subject } = options;
  const common = {
    ...(options.authorityHost && { authorityHost: options.authorityHost }),
    // Instance discovery asks the public cloud about any other authority.
    disableInstanceDiscovery: !!options.authorityHost && options.authorityHost !== PUBLIC_AUTHORITY,
    ...(options.httpClient && { httpClient: options.httpClient }),
  };
  if (options.auth === 'cli') return explained(new AzureCliCredential(), options);
  const tenantId = required(options.tenantId, 'tenant-id', 'AZURE_TENANT_ID', subject);
  const clientId = required(options.clientId, 'client-id', 'AZURE_CLIENT_ID', subject);
  if (options.auth === 'secret') {
    if (!options.clientSecret)
      throw new ConfigurationError(
        `${subject} signs in with a client secret, but AZURE_CLIENT_SECRET is not set: pass it from a secret (env: AZURE_CLIENT_SECRET: \${{ secrets.AZURE_CLIENT_SECRET }}), or use auth: oidc`,
      );
    return explained(
      new ClientSecretCredential(tenantId, clientId, options.clientSecret, common),
      options,
    );
  }
  const idToken = options.idToken;
  if (!idToken)
    throw new ConfigurationError(
      `${subject} signs in with GitHub OIDC, but this job cannot get an ID token: add "permissions: id-token: write" to the job (or set auth: secret or auth: cli)`,
    );
  return explained(
    new ClientAssertionCredential(tenantId, clientId, () => idToken(FEDERATION_AUDIENCE), common),
    options,
  );
}

function required(
  value: string | undefined,
  key: string,
  variable: string,
  subject: string,
): string {
  if (value) return value;
  throw new ConfigurationError(
    `${subject} has no ${key}: set it in mlops.yaml, or set ${variable} in the job's env`,
  );
}

/** Entra's answers as one line that says what to fix, never the token or the secret. */
function explained(credential: TokenCredential, options: SignInOptions): TokenCredential {
  return {
    getToken: async (scopes, getTokenOptions) => {
      try {
        return await credential.getToken(scopes, getTokenOptions);
      } catch (error) {
        throw new ConfigurationError(signInProblem(messageOf(error), options));
      }
    },
  };
}

function signInProblem(message: string, o: SignInOptions): string {
  const code = /AADSTS(\d+)/.exec(message)?.[1];
  const who = `${o.subject} (tenant ${o.tenantId ?? '?'}, client ${o.clientId ?? '?'})`;
  switch (code) {
    case '90002':
      return `sign-in for ${who} failed: tenant ${o.tenantId} does not exist: check tenant-id (the Directory id of the app registration)`;
    case '700016':
      return `sign-in for ${who} failed: no application ${o.clientId} in tenant ${o.tenantId}: check client-id and tenant-id`;
    case '70021':
      return `sign-in for ${who} failed: no federated credential of the application matches this workflow's OIDC subject: add one for this repository and branch or environment (Entra ID > App registrations > Certificates & secrets > Federated credentials)`;
    case '7000215':
    case '7000222':
      return `sign-in for ${who} failed: the client secret is wrong or expired: renew it and update the AZURE_CLIENT_SECRET secret`;
    default:
      return `sign-in for ${who} failed: ${firstLine(message)}`;
  }
}
