import path from 'node:path';
import { defineAction, type StageDeps } from '@mlops/action-kit';
import { loadConfig, METRIC_NAMES, type LoadedConfig } from '@mlops/config';
import { writeFileAtomic } from '@mlops/foundation';
import { formatNumber } from './format.js';
import { openPlatform } from './platform-open.js';

/** One environment's champions, as `mlops status --json` prints them. */
export interface EnvironmentChampions {
  name: string;
  backend: string;
  location: string;
  models: ModelChampion[];
}

export interface ModelChampion {
  name: string;
  champion: {
    version: number;
    createdAt: string;
    /** The champion's metrics from its tags (mape, rmse, …). */
    metrics: Record<string, number>;
    /** The baseline's metrics from its tags. */
    baseline: Record<string, number>;
  } | null;
  candidates: number[];
}

/** The document `mlops status --json` prints and the delivery workflows upload as mlops-champions. */
export interface ChampionsFile {
  generatedAt: string;
  environments: EnvironmentChampions[];
}

/** Champion and candidates per model and environment, with the champion's metrics. */
export async function championsJson(
  loaded: LoadedConfig,
  environments: string[],
  deps: StageDeps,
): Promise<ChampionsFile> {
  const result: ChampionsFile = { generatedAt: deps.now().toISOString(), environments: [] };
  for (const environment of environments) {
    const platform = await openPlatform(loaded, environment, deps);
    const models: ModelChampion[] = [];
    for (const name of await platform.registry.names()) {
      const versions = await platform.registry.list(name);
      const champion = versions.filter((v) => v.tags.stage === 'champion').pop();
      models.push({
        name,
        champion: champion
          ? {
              version: champion.version,
              createdAt: champion.createdAt,
              metrics: numbersFrom(champion.tags, ''),
              baseline: numbersFrom(champion.tags, 'baseline_'),
            }
          : null,
        candidates: versions.filter((v) => v.tags.stage === 'candidate').map((v) => v.version),
      });
    }
    result.environments.push({
      name: environment,
      backend: platform.backend,
      location: platform.location,
      models,
    });
  }
  return result;
}

function numbersFrom(tags: Record<string, string>, prefix: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const metric of METRIC_NAMES) {
    const value = Number(tags[`${prefix}${metric}`]);
    if (tags[`${prefix}${metric}`] !== undefined && Number.isFinite(value)) out[metric] = value;
  }
  return out;
}

export interface ChampionsInputs {
  workingDirectory: string;
  config: string;
  environment: string;
  output: string;
}

/**
 * Writes the champions of an environment as JSON, for the mlops-champions
 * artifact that pull-request comments compare with (no credentials there).
 */
export const champions = defineAction<ChampionsInputs>({
  name: 'champions',
  title: 'Champions',
  description:
    'Writes the champion (version and metrics) and candidates of every model of an environment as JSON (as mlops status --json), for the mlops-champions artifact pull-request comments compare with.',
  inputs: {
    environment: { description: 'The environment (from mlops.yaml) to read.', default: 'local' },
    output: {
      description: 'Where to write the JSON, relative to working-directory.',
      default: '.mlops/champions/champions.json',
    },
  },
  outputs: {
    file: 'Absolute path of the JSON file written.',
    champions: 'Number of models with a champion.',
  },
  parseInputs: (read) => ({
    workingDirectory: read.string('working-directory'),
    config: read.string('config'),
    environment: read.string('environment'),
    output: read.string('output'),
  }),
  execute: async (inputs, deps) => {
    const loaded = await loadConfig({
      workingDirectory: inputs.workingDirectory,
      config: inputs.config,
    });
    const doc = await championsJson(loaded, [inputs.environment], deps);
    const file = path.resolve(loaded.projectDir, inputs.output);
    await writeFileAtomic(file, JSON.stringify(doc, null, 2) + '\n');
    const env = doc.environments[0];
    const models = env?.models ?? [];
    const withChampion = models.filter((m) => m.champion);
    return {
      outputs: { file, champions: String(withChampion.length) },
      report: [
        { kind: 'heading', text: `Champions in ${inputs.environment}` },
        models.length
          ? {
              kind: 'table',
              headers: ['Model', 'Champion', 'MAPE', 'Baseline MAPE', 'Candidates'],
              rows: models.map((m) => [
                `\`${m.name}\``,
                m.champion ? `v${m.champion.version}` : '–',
                formatNumber(m.champion?.metrics.mape),
                formatNumber(m.champion?.baseline.mape),
                m.candidates.length ? m.candidates.map((v) => `v${v}`).join(', ') : '–',
              ]),
            }
          : { kind: 'text', text: 'No model registered.' },
        { kind: 'text', text: `Written to \`${path.relative(loaded.projectDir, file)}\`.` },
      ],
    };
  },
});
