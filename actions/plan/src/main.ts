import { runOnRunner } from '@mlops/action-kit/runner';
import { plan } from '@mlops/stages';

/** Inputs from the runner -> the plan stage -> the matrix outputs and job summary. */
export function run(): Promise<void> {
  return runOnRunner(plan);
}
