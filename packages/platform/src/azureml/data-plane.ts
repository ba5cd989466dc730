import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createPipelineFromOptions,
  createPipelineRequest,
} from '@azure/core-rest-pipeline';
import type { AzureContext } from './context.js';
import { httpFailure } from './errors.js';

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
  // Callers run this inside context.call, which words and redacts the failure.
  if (response.status >= 300) throw httpFailure(response.status, text);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`${url} answered with something other than JSON: ${text.slice(0, 200)}`);
  }
}
