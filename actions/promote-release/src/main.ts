import { runOnRunner } from '@mlops/action-kit/runner';
import { promoteRelease } from '@mlops/stages';

/** Inputs from the runner -> the promote-release stage -> outputs and job summary. */
export function run(): Promise<void> {
  return runOnRunner(promoteRelease);
}
