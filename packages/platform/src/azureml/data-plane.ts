import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createPipelineFromOptions,
  createPipelineRequest,
} from '@azure/core-rest-pipeline';
import type { AzureContext } from './context.js';
import { firstLine, redact } from './errors.js';

/** Endpoints' own URLs (batch invocations, online requests) take tokens for this audience. */
const ML_SCOPE = 'https://ml.azure.com/.default';

/**
 * POSTs JSON to an endpoint's scoring URI with the environment's identity,
 * through the same retry policies as ARM calls; returns the parsed answer.
 */
export async function postJson(
  context: AzureContext,
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<unknown> {
  const { credential, httpClient } = context.options;
  const pipeline = createPipelineFromOptions({});
  pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential, scopes: ML_SCOPE }));
  const request = createPipelineRequest({ url, method: 'POST', body: JSON.stringify(body) });
  request.headers.set('Content-Type', 'application/json');
  for (const [name, value] of Object.entries(headers)) request.headers.set(name, value);
  const response = await pipeline.sendRequest(httpClient ?? createDefaultHttpClient(), request);
  const text = response.bodyAsText ?? '';
  if (response.status >= 300)
    throw Object.assign(
      new Error(redact(firstLine(errorMessage(text) ?? `HTTP ${response.status}`))),
      { statusCode: response.status },
    );
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`${url} answered with something other than JSON: ${text.slice(0, 200)}`);
  }
}

function errorMessage(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
    return parsed.error ? `${parsed.error.code}: ${parsed.error.message}` : text || undefined;
  } catch {
    return text || undefined;
  }
}
