import os from 'node:os';
import * as core from '@actions/core';
import {
  isConfigurationError,
  messageOf,
  runCommand,
  toMarkdown,
  type Logger,
} from '@mlops/foundation';
import type { ActionDefinition, StageDeps } from './definition.js';
import { InputReader } from './inputs.js';

const runnerLogger: Logger = {
  info: (message) => core.info(message),
  debug: (message) => core.debug(message),
  warning: (message, at) => core.warning(message, at && annotation(at)),
  error: (message, at) => core.error(message, at && annotation(at)),
  startGroup: (title) => core.startGroup(title),
  endGroup: () => core.endGroup(),
};

function annotation(at: NonNullable<Parameters<Logger['warning']>[1]>): core.AnnotationProperties {
  return { file: at.file, startLine: at.line, startColumn: at.column, title: at.title };
}

/** The dependencies of a stage on a GitHub runner. */
export function runnerDeps(env: NodeJS.ProcessEnv = process.env): StageDeps {
  return {
    logger: runnerLogger,
    runCommand,
    baseEnv: { ...env },
    repositoryRoot: env.GITHUB_WORKSPACE || process.cwd(),
    cpus: os.availableParallelism(),
    now: () => new Date(),
    progress: (message) => core.info(message),
    // The runner sets these only for jobs with `permissions: id-token: write`.
    ...(env.ACTIONS_ID_TOKEN_REQUEST_URL &&
      env.ACTIONS_ID_TOKEN_REQUEST_TOKEN && {
        idToken: (audience: string) => core.getIDToken(audience),
      }),
    mask: (secret) => core.setSecret(secret),
  };
}

/**
 * Runs an action the way the runner calls it: inputs from INPUT_*, outputs to
 * GITHUB_OUTPUT, the report to the job summary. Any thrown value fails the step.
 */
export async function runOnRunner<I>(
  definition: ActionDefinition<I>,
  read: (name: string) => string = (name) => core.getInput(name),
): Promise<void> {
  try {
    const inputs = definition.parseInputs(new InputReader(definition.inputs, read));
    const result = await definition.execute(inputs, runnerDeps());
    for (const [name, value] of Object.entries(result.outputs)) core.setOutput(name, value);
    await core.summary.addRaw(toMarkdown(result.report)).write();
    if (result.failure) core.setFailed(result.failure);
  } catch (error) {
    core.setFailed(
      isConfigurationError(error)
        ? messageOf(error)
        : `${definition.title} stopped on an unexpected error: ${messageOf(error)}`,
    );
  }
}
