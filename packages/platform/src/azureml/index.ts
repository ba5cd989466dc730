/*
 * The Azure ML backend: a separate entry so that its SDKs are loaded (and
 * bundled into their own chunk) only when an azureml environment is used.
 */
export { openAzurePlatform } from './platform.js';
export type { AzureMlOptions } from './context.js';
export { signIn, FEDERATION_AUDIENCE, type AzureAuth, type SignInOptions } from './credential.js';
export { endpointName } from './pipelines.js';
export { LEDGER_ASSET } from './ledger.js';
