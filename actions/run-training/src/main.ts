import { runOnRunner } from '@mlops/action-kit/runner';
import { runTraining } from '@mlops/stages';

/** Inputs from the runner -> the run-training stage -> outputs and job summary. */
export function run(): Promise<void> {
  return runOnRunner(runTraining);
}
