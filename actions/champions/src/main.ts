import { runOnRunner } from '@mlops/action-kit/runner';
import { champions } from '@mlops/stages';

/** Inputs from the runner -> the champions stage -> the JSON file, outputs and job summary. */
export function run(): Promise<void> {
  return runOnRunner(champions);
}
