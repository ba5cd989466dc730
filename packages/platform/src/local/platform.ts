import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Platform } from '../port.js';
import type { LocalContext, LocalPlatformOptions } from './context.js';
import { LocalEndpoints } from './endpoints.js';
import { LocalJobs } from './jobs.js';
import { LocalLedger } from './ledger.js';
import { LocalPipelines } from './pipelines.js';
import { LocalRegistry } from './registry.js';

/**
 * The embedded backend: the environment's whole state in one folder, written
 * atomically under a cross-process lock. Readers take no lock and never see
 * half a write; what a killed writer leaves behind, the next one finishes or
 * removes.
 */
export async function openLocalPlatform(options: LocalPlatformOptions): Promise<Platform> {
  const stateDir = path.resolve(options.stateDir);
  await mkdir(stateDir, { recursive: true });
  const context: LocalContext = {
    environment: options.environment,
    stateDir,
    now: options.now ?? (() => new Date()),
    baseEnv: options.baseEnv ?? {},
    fault: options.faults ?? (() => undefined),
  };
  const registry = new LocalRegistry(context);
  const jobs = new LocalJobs(context);
  return {
    environment: options.environment,
    backend: 'local',
    location: stateDir,
    registry,
    pipelines: new LocalPipelines(context, registry, jobs),
    endpoints: new LocalEndpoints(context, registry, jobs),
    jobs,
    ledger: new LocalLedger(context),
  };
}
