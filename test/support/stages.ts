import {
  InputReader,
  type ActionDefinition,
  type ActionResult,
  type StageDeps,
} from '@mlops/action-kit';
import { basicModelValidate, packageArtifacts } from '@mlops/stages';
import { recordingDeps } from './deps.js';

/** Runs an action in-process on a project, the way the CLI does. */
export async function runStage(
  definition: unknown,
  project: string,
  inputs: Record<string, string> = {},
  deps: Partial<StageDeps> = {},
): Promise<ActionResult> {
  const action = definition as ActionDefinition;
  const read = new InputReader(
    action.inputs,
    (name) => ({ 'working-directory': project, ...inputs })[name] ?? '',
  );
  return action.execute(action.parseInputs(read), { ...recordingDeps(project), ...deps });
}

/** Trains the tiny models (stage main) and packages them; returns the package's outputs. */
export async function trainAndPackage(
  project: string,
  inputs: Record<string, string> = {},
): Promise<ActionResult> {
  const trained = await runStage(basicModelValidate, project, { stage: 'main' });
  if (trained.failure) throw new Error(trained.failure);
  return runStage(packageArtifacts, project, inputs);
}
