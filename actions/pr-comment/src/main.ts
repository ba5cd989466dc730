import { runOnRunner } from '@mlops/action-kit/runner';
import { prComment } from '@mlops/stages';

/** Inputs from the runner -> the pr-comment stage -> the comment, outputs and job summary. */
export function run(): Promise<void> {
  return runOnRunner(prComment);
}
