import path from 'node:path';
import type { StageDeps } from '@mlops/action-kit';
import type { LoadedConfig } from '@mlops/config';
import type { Block, Cell } from '@mlops/foundation';
import type { LedgerEvent, Platform } from '@mlops/platform';
import { championChanges, championTimelineBlocks } from './charts.js';
import { formatNumber } from './format.js';
import { openPlatform } from './platform-open.js';
import { pipelineName } from './versions.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Per model and environment: champion, candidates, age and the last scoring run. */
export async function statusReport(
  loaded: LoadedConfig,
  environments: string[],
  deps: StageDeps,
): Promise<Block[]> {
  const blocks: Block[] = [];
  for (const environment of environments) {
    const platform = await openPlatform(loaded, environment, deps);
    const rows: Cell[][] = [];
    for (const name of await platform.registry.names()) {
      const versions = await platform.registry.list(name);
      const champion = versions.filter((v) => v.tags.stage === 'champion').pop();
      const candidates = versions.filter((v) => v.tags.stage === 'candidate').map((v) => v.version);
      const runs = await platform.pipelines.runs(pipelineName(name)).catch(() => []);
      const last = runs[runs.length - 1];
      rows.push([
        `\`${name}\``,
        champion ? `v${champion.version}` : '–',
        champion ? formatNumber(Number(champion.tags.mape)) : '–',
        champion ? formatNumber(Number(champion.tags.baseline_mape)) : '–',
        champion
          ? `${((deps.now().getTime() - Date.parse(champion.createdAt)) / DAY_MS).toFixed(0)} d`
          : '–',
        candidates.length ? candidates.map((v) => `v${v}`).join(', ') : '–',
        last ? `${last.state} ${last.startedAt.slice(0, 16).replace('T', ' ')}` : '–',
        last?.state === 'succeeded'
          ? `\`${path.relative(loaded.projectDir, last.output) || '.'}/predictions.csv\``
          : '–',
      ]);
    }
    blocks.push(
      { kind: 'heading', text: `${environment} (${platform.backend}: ${platform.location})` },
      rows.length
        ? {
            kind: 'table',
            headers: [
              'Model',
              'Champion',
              'MAPE',
              'Baseline MAPE',
              'Age',
              'Candidates',
              'Last scoring run',
            ],
            rows,
          }
        : { kind: 'text', text: 'No model registered.' },
      ...championTimelineBlocks(
        championChanges(await platform.ledger.list().catch(() => [])),
        `Champion history in ${environment}`,
      ),
    );
  }
  return blocks;
}

/** The ledger of an environment, oldest first, and whether its chain is intact. */
export async function ledgerReport(
  platform: Platform,
  model?: string,
): Promise<{ blocks: Block[]; ok: boolean }> {
  const events = await platform.ledger.list(model ? { model } : undefined);
  const verdict = await platform.ledger.verify();
  return {
    ok: verdict.ok,
    blocks: [
      { kind: 'heading', text: `Ledger of ${platform.environment}${model ? ` for ${model}` : ''}` },
      {
        kind: 'table',
        headers: ['#', 'When', 'Event', 'Model', 'Who', 'Why'],
        rows: events.map((e: LedgerEvent) => [
          e.seq,
          e.at.slice(0, 19).replace('T', ' '),
          e.kind,
          e.model ? `${e.model.name} v${e.model.version}` : '–',
          e.actor,
          e.reason,
        ]),
      },
      ...championTimelineBlocks(
        championChanges(events),
        `Champion history in ${platform.environment}${model ? ` of ${model}` : ''}`,
        false,
      ),
      {
        kind: 'text',
        text: verdict.ok
          ? `Chain intact: ${verdict.events} events, each sealed by the hash of the one before.`
          : `Chain BROKEN:\n${verdict.problems.map((p) => `- ${p}`).join('\n')}`,
      },
    ],
  };
}
