import { runOnRunner } from '@mlops/action-kit/runner';
import { lintAndTest } from '@mlops/stages';

/** Inputs from the runner -> the lint-and-test stage -> outputs and job summary. */
export function run(): Promise<void> {
  return runOnRunner(lintAndTest);
}
