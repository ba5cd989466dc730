import path from 'node:path';
import { readUserFile } from '@mlops/foundation';
import type { ModelValidation } from './model-validation.js';

/** Where basic-model-validate keeps a stage's per-model data, models and metrics. */
export function validationDir(projectDir: string, stage: string): string {
  return path.join(projectDir, '.mlops', 'validate', stage);
}

/** The results of the last basic-model-validate run of a stage, by model name. */
export async function readValidation(
  projectDir: string,
  stage: string,
): Promise<Map<string, ModelValidation>> {
  const file = path.join(validationDir(projectDir, stage), 'metrics.json');
  const text = await readUserFile(
    file,
    'validation results',
    `do not exist: run basic-model-validate with stage ${stage} first (it trains the models that are packaged)`,
  );
  const parsed = JSON.parse(text) as { models: ModelValidation[] };
  return new Map(parsed.models.map((m) => [m.name, m]));
}
