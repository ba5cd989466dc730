import type { ProjectConfig } from '@mlops/config';
import type { StageDeps } from '@mlops/action-kit';

/**
 * The environment of a user command (DESIGN 4.2): the caller's, the project's
 * `env:` and the suite's MLOPS_* variables, which win.
 */
export function commandEnv(
  config: ProjectConfig,
  deps: StageDeps,
  mlops: Record<string, string> = {},
): Record<string, string | undefined> {
  return {
    ...deps.baseEnv,
    ...config.env,
    MLOPS_INTERPRETER: config.interpreter,
    ...mlops,
  };
}

/** One MLOPS_PARAM_<KEY> per model parameter (DESIGN 4.2). */
export function paramEnv(params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params).map(([key, value]) => [`MLOPS_PARAM_${key.toUpperCase()}`, value]),
  );
}

/**
 * The project's part of a platform job's environment (the platform adds the
 * caller's): `env:`, the interpreter, the stage and the model's parameters.
 */
export function jobEnv(
  config: ProjectConfig,
  stage: string,
  params: Record<string, string>,
): Record<string, string> {
  return {
    ...config.env,
    MLOPS_INTERPRETER: config.interpreter,
    MLOPS_STAGE: stage,
    ...paramEnv(params),
  };
}

/** "exited 1", "timed out after 5 min", "was killed by SIGKILL". */
export function describeExit(
  result: { exitCode: number | null; signal: string | null; timedOut: boolean },
  timeoutMinutes?: number,
): string {
  if (result.timedOut) return `timed out after ${timeoutMinutes ?? '?'} min`;
  if (result.signal) return `was killed by ${result.signal}`;
  return `exited ${result.exitCode ?? '?'}`;
}

/** The last non-blank output line, which is usually the error. */
export function lastLine(tail: readonly string[]): string {
  return (
    [...tail]
      .reverse()
      .find((line) => line.trim() !== '')
      ?.trim() ?? '(no output)'
  );
}
