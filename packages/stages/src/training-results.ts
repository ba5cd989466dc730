import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileDigest, type FileRecord, type ModelRecord } from '@mlops/artifacts';
import { ConfigurationError, readUserFile } from '@mlops/foundation';
import type { Metrics } from '@mlops/data';
import type { RunState } from '@mlops/platform';

/** One model of a run-training run: its platform job and, when that succeeded, its measurements. */
export interface TrainedModel {
  name: string;
  params: Record<string, string>;
  epochs: number;
  trainRows: number;
  scoreRows: number;
  /** The job's terminal state (timed-out: the platform cancelled it at the timeout). */
  state: RunState;
  job: {
    id: string;
    /** The platform's page of the job, else its log. */
    url: string;
    log: string;
    message?: string;
    startedAt: string;
    endedAt?: string;
    durationMs?: number;
  };
  /** Folder the job's output ended up in: model/, metrics.json, predictions.csv. */
  outputDir: string;
  modelDir: string;
  /** The trained files, by path relative to the model folder, and their treeDigest. */
  files: FileRecord[];
  digest?: string;
  metrics?: Metrics;
  baseline?: Metrics;
  /** Numbers train reported in metrics.json. */
  reported?: Record<string, number>;
  gates: ModelRecord['gates'];
  /** The job succeeded and left usable model files and predictions (gates apart). */
  passed: boolean;
  /** Why it did not pass. */
  problem?: string;
}

/** results.json of run-training. */
export interface TrainingResults {
  schema: 1;
  environment: string;
  backend: string;
  /** Where the environment's state lives (a folder or a workspace id). */
  location: string;
  /** The epochs key the models were trained with. */
  stage: string;
  generatedAt: string;
  config: string;
  timeoutMinutes: number;
  failOnGates: boolean;
  /** The package whose code/ folder the jobs ran. */
  package: { name: string; manifestDigest: string; codeDigest: string };
  /** data.full as given, the file it resolved to, and its digest. */
  data: { full: string; file: string; digest: string; bytes: number; rows: number };
  models: TrainedModel[];
}

/** Where run-training keeps an environment's data slices, job outputs and results. */
export function trainingDir(projectDir: string, environment: string): string {
  return path.join(projectDir, '.mlops', 'training', environment);
}

/** `latest` (the environment's last run) or a path relative to the project. */
export function trainingResultsFile(
  projectDir: string,
  environment: string,
  which: string,
): string {
  return which === 'latest'
    ? path.join(trainingDir(projectDir, environment), 'results.json')
    : path.resolve(projectDir, which);
}

/** Reads run-training's results for an environment; any other environment's are refused. */
export async function readTrainingResults(
  file: string,
  environment: string,
): Promise<TrainingResults> {
  const text = await readUserFile(
    file,
    'training results',
    `do not exist: run run-training with environment ${environment} first, or point training at its results.json`,
  );
  let results: TrainingResults;
  try {
    results = JSON.parse(text) as TrainingResults;
  } catch {
    throw new ConfigurationError(
      `training results ${file} are not valid JSON: run run-training again`,
    );
  }
  if (results.schema !== 1 || !Array.isArray(results.models) || !results.package) {
    throw new ConfigurationError(
      `training results ${file} are not run-training's results.json: point training at the file run-training wrote`,
    );
  }
  if (results.environment !== environment) {
    throw new ConfigurationError(
      `training results ${file} are for environment ${results.environment}, not ${environment}: register them in ${results.environment}, or run run-training with environment ${environment}`,
    );
  }
  return results;
}

/** The model folder's files, by path relative to it, with digests (sorted, as treeDigest wants). */
export async function modelFiles(dir: string): Promise<FileRecord[]> {
  const listing = await readdir(dir, { recursive: true, withFileTypes: true });
  const names = listing
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const file = path.join(dir, name);
      return { path: name, digest: await fileDigest(file), bytes: (await stat(file)).size };
    }),
  );
}
