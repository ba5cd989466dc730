/** Named points of multi-step writes where a test may kill the process. */
export type FaultPoint =
  'register:staged' | 'register:renamed' | 'set-tags:journaled' | 'set-tags:applied-one';

export interface LocalPlatformOptions {
  /** The environment name from mlops.yaml; part of every model version id. */
  environment: string;
  /** The environment's state folder, e.g. `<project>/.mlops/dev`: one folder, one workspace. */
  stateDir: string;
  now?: () => Date;
  /** Environment of job processes, under each job's own (callers choose what to pass on). */
  baseEnv?: Record<string, string | undefined>;
  /** Test hook, called at each named point; a test kills the process there. */
  faults?: (point: FaultPoint) => void;
}

/** What every part of the local backend shares. */
export interface LocalContext {
  environment: string;
  /** Absolute. */
  stateDir: string;
  now: () => Date;
  baseEnv: Record<string, string | undefined>;
  fault: (point: FaultPoint) => void;
}
