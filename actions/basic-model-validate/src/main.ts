import { runOnRunner } from '@mlops/action-kit/runner';
import { basicModelValidate } from '@mlops/stages';

/** Inputs from the runner -> the basic-model-validate stage -> outputs and job summary. */
export function run(): Promise<void> {
  return runOnRunner(basicModelValidate);
}
