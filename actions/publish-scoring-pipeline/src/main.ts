import { runOnRunner } from '@mlops/action-kit/runner';
import { publishScoringPipeline } from '@mlops/stages';

/** Inputs from the runner -> the publish-scoring-pipeline stage -> outputs and job summary. */
export function run(): Promise<void> {
  return runOnRunner(publishScoringPipeline);
}
