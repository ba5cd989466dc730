import type { Logger, Report } from '@mlops/foundation';
import type { CommandRunner } from '@mlops/foundation';
import type { InputReader } from './inputs.js';

export interface InputSpec {
  description: string;
  /** Shown in action.yml and used when the input is empty. */
  default?: string;
  required?: boolean;
  /** For enum inputs: the accepted values, listed in errors and docs. */
  values?: readonly string[];
}

/** What every stage gets from its caller (the runner or the CLI). */
export interface StageDeps {
  logger: Logger;
  runCommand: CommandRunner;
  /** Environment the user's commands inherit (the suite adds its MLOPS_* variables). */
  baseEnv: Record<string, string | undefined>;
  /** Repository root: annotation paths are relative to it. */
  repositoryRoot: string;
  cpus: number;
  now: () => Date;
  /** Per-model progress lines for long work. */
  progress: (message: string) => void;
  /** GitHub's OIDC ID token for an audience; absent when the job may not request one. */
  idToken?: (audience: string) => Promise<string>;
  /** Hides a secret value from every later log line (core.setSecret on a runner). */
  mask: (secret: string) => void;
}

export interface ActionResult {
  outputs: Record<string, string>;
  report: Report;
  /** Set when a check failed: the step fails with this message after outputs are written. */
  failure?: string;
}

/** One action: the single source of its action.yml, its CLI command and its run. */
export interface ActionDefinition<Inputs = unknown> {
  name: string;
  title: string;
  description: string;
  inputs: Record<string, InputSpec>;
  outputs: Record<string, string>;
  parseInputs(read: InputReader): Inputs;
  execute(inputs: Inputs, deps: StageDeps): Promise<ActionResult>;
}

/** Inputs every action has, first in every action.yml. */
export const COMMON_INPUTS: Record<string, InputSpec> = {
  'working-directory': {
    description: 'The project folder: commands run here and relative paths start here.',
    default: '.',
  },
  config: {
    description: 'The project config, relative to working-directory.',
    default: 'mlops.yaml',
  },
};

export function defineAction<I>(definition: ActionDefinition<I>): ActionDefinition<I> {
  return { ...definition, inputs: { ...COMMON_INPUTS, ...definition.inputs } };
}
