import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedConfig, ModelSpec } from '@mlops/config';
import { messageOf, type Block } from '@mlops/foundation';
import { readPredictions, writeTable, type Table } from '@mlops/data';
import type { ModelVersion, Platform } from '@mlops/platform';
import { prepareBatch } from './batch-data.js';
import { jobEnv } from './command-env.js';
import { runLinks } from './report-links.js';
import type { RunContext } from './run-context.js';
import { resolveVersion } from './versions.js';

/** Rows of the batch input sent to a new deployment before it gets traffic. */
const SMOKE_ROWS = 20;

export interface OnlineRelease {
  model: string;
  version?: ModelVersion;
  endpoint?: string;
  deployment?: string;
  /** Deployments that had traffic before: kept, at 0 %, for rollback. */
  previous: string[];
  smokeRows?: number;
  /** Already serving all traffic: nothing changed. */
  unchanged?: boolean;
  problem?: string;
}

/** The real-time endpoint of a model. */
export function onlineName(model: string): string {
  return `${model}-online`;
}

/**
 * Blue/green: deploy the version next to the serving one at 0 %, send it a
 * smoke request of real rows, and only when every row gets a valid
 * prediction move all traffic to it. A failed smoke test leaves traffic
 * where it was.
 */
export async function releaseOnline(
  loaded: LoadedConfig,
  model: ModelSpec,
  platform: Platform,
  ctx: { which: string; run: RunContext; tables: Map<string, Table> },
): Promise<OnlineRelease> {
  const result: OnlineRelease = { model: model.name, previous: [] };
  const version = await resolveVersion(platform, model.name, ctx.which);
  if (!version)
    return { ...result, problem: `has no ${ctx.which} version in ${platform.environment}` };
  const name = onlineName(model.name);
  const { config, projectDir } = loaded;
  const { endpoint, deployment } = await platform.endpoints.deploy({
    name,
    model: { name: version.name, version: version.version },
    command: config.score.command,
    codeDir: projectDir,
    env: jobEnv(config, 'online', model.params),
  });
  const previous = Object.keys(endpoint.traffic).filter((d) => d !== deployment);
  Object.assign(result, { version, endpoint: name, deployment, previous });
  if (endpoint.traffic[deployment] === 100) return { ...result, unchanged: true };

  const dir = path.join(projectDir, '.mlops', 'online', platform.environment, model.name);
  const batch = await prepareBatch(loaded, model, path.join(dir, 'input'), ctx.tables);
  const input = batch.score;
  const rows = input.rows.slice(0, SMOKE_ROWS);
  await mkdir(path.join(dir, 'smoke'), { recursive: true });
  await writeTable(path.join(dir, 'smoke', 'request.csv'), input.columns, rows);
  const answerFile = path.join(dir, 'smoke', 'predictions.csv');
  try {
    const csv = await readFile(path.join(dir, 'smoke', 'request.csv'), 'utf8');
    await writeFile(answerFile, await platform.endpoints.invoke(name, deployment, csv));
  } catch (error) {
    return {
      ...result,
      problem: `smoke request to ${deployment} failed, traffic unchanged: ${messageOf(error)}`,
    };
  }
  const check = await readPredictions(answerFile, {
    keys: config.data.keys,
    expectedKeys: batch.keys.slice(0, rows.length),
    min: config.predictions.min,
    max: config.predictions.max,
  }).catch((error: unknown) => ({ values: [], problems: [messageOf(error)] }));
  if (check.problems.length)
    return {
      ...result,
      smokeRows: rows.length,
      problem: `smoke request to ${deployment} answered wrongly, traffic unchanged: ${check.problems.join('; ')}`,
    };
  await platform.endpoints.setTraffic(name, { [deployment]: 100 });
  await platform.ledger.append({
    kind: 'publish',
    model: { name: version.name, version: version.version },
    actor: ctx.run.actor,
    runUrl: ctx.run.url || undefined,
    reason: `online endpoint ${name}: all traffic to ${deployment}`,
    details: { mode: 'online', endpoint: name, deployment, previous, smokeRows: rows.length },
  });
  return { ...result, smokeRows: rows.length };
}

export function renderOnlineReport(
  results: OnlineRelease[],
  platform: Platform,
  run: RunContext,
): Block[] {
  return [
    { kind: 'heading', text: `Online endpoints in ${platform.environment}` },
    {
      kind: 'table',
      headers: ['Model', 'Version', 'Endpoint', 'Serving', 'Smoke test', 'Kept for rollback'],
      rows: [...results]
        .sort((a, b) => Number(!a.problem) - Number(!b.problem))
        .map((r) => [
          `\`${r.model}\``,
          r.version?.version ?? '–',
          r.endpoint ?? '–',
          r.problem
            ? `❌ ${r.problem}`
            : `✅ ${r.deployment} (100 %)${r.unchanged ? ', unchanged' : ''}`,
          r.smokeRows === undefined ? '–' : `${r.smokeRows} rows`,
          r.previous.join(', ') || '–',
        ]),
    },
    ...runLinks(run),
  ];
}
