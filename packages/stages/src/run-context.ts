import os from 'node:os';

export interface RunContext {
  /** GITHUB_RUN_ID on a runner; "local" elsewhere, so local packages stay reproducible. */
  id: string;
  /** The workflow run's URL, empty locally. */
  url: string;
  /** GITHUB_ACTOR on a runner, the local user elsewhere. */
  actor: string;
  onRunner: boolean;
}

/** Who and which run, from the runner's variables (passed in, never read globally). */
export function runContext(env: Record<string, string | undefined>): RunContext {
  const onRunner = env.GITHUB_ACTIONS === 'true' && !!env.GITHUB_RUN_ID;
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  return {
    id: onRunner ? `${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? '1'}` : 'local',
    url:
      onRunner && env.GITHUB_REPOSITORY
        ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
        : '',
    actor: env.GITHUB_ACTOR || env.USER || os.userInfo().username,
    onRunner,
  };
}
