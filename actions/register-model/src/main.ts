import { runOnRunner } from '@mlops/action-kit/runner';
import { registerModel } from '@mlops/stages';

/** Inputs from the runner -> the register-model stage -> outputs and job summary. */
export function run(): Promise<void> {
  return runOnRunner(registerModel);
}
