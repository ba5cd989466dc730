import type { Platform } from '../port.js';
import { AzureContext, type AzureMlOptions } from './context.js';
import { AzureEndpoints } from './endpoints.js';
import { AzureJobs } from './jobs.js';
import { AzureLedger } from './ledger.js';
import { AzurePipelines } from './pipelines.js';
import { AzureRegistry } from './registry.js';

/**
 * An Azure ML workspace as the platform: registry = model versions, jobs =
 * command jobs, pipelines = batch endpoints, endpoints = managed online
 * endpoints, ledger = a data asset's versions.
 * Nothing is called until an operation needs it.
 */
export function openAzurePlatform(options: AzureMlOptions): Platform {
  const context = new AzureContext(options);
  return {
    environment: options.environment,
    backend: 'azureml',
    location: `${context.scope.workspace}`,
    registry: new AzureRegistry(context),
    pipelines: new AzurePipelines(context),
    endpoints: new AzureEndpoints(context),
    jobs: new AzureJobs(context),
    ledger: new AzureLedger(context),
  };
}
