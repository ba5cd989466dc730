import { runOnRunner } from '@mlops/action-kit/runner';
import { packageArtifacts } from '@mlops/stages';

/** Inputs from the runner -> the package-artifacts stage -> outputs and job summary. */
export function run(): Promise<void> {
  return runOnRunner(packageArtifacts);
}
