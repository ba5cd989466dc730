import os from 'node:os';
import { runCommand, type Logger, type SourceLocation } from '@mlops/foundation';
import type { StageDeps } from '@mlops/action-kit';

function where(at: SourceLocation | undefined): string {
  if (!at) return '';
  return `${at.file}${at.line ? `:${at.line}` : ''}${at.column ? `:${at.column}` : ''}: `;
}

/** Findings and problems go to stderr in the compiler-style form editors link. */
export function terminalLogger(verbose: boolean, write: (text: string) => void): Logger {
  return {
    info: (message) => verbose && write(`  ${message}\n`),
    debug: () => undefined,
    warning: (message, at) =>
      write(`${where(at)}warning: ${message}${at?.title ? ` [${at.title}]` : ''}\n`),
    error: (message, at) =>
      write(`${where(at)}error: ${message}${at?.title ? ` [${at.title}]` : ''}\n`),
    startGroup: (title) => verbose && write(`▸ ${title}\n`),
    endGroup: () => undefined,
  };
}

export function terminalDeps(
  options: { verbose: boolean },
  env: NodeJS.ProcessEnv = process.env,
): StageDeps {
  const write = (text: string): void => void process.stderr.write(text);
  return {
    logger: terminalLogger(options.verbose, write),
    runCommand,
    baseEnv: { ...env },
    repositoryRoot: process.cwd(),
    cpus: os.availableParallelism(),
    now: () => new Date(),
    progress: (message) => write(`${message}\n`),
    // In a workflow step with `permissions: id-token: write`, as the actions do.
    ...(env.ACTIONS_ID_TOKEN_REQUEST_URL &&
      env.ACTIONS_ID_TOKEN_REQUEST_TOKEN && {
        idToken: async (audience: string) => (await import('@actions/core')).getIDToken(audience),
      }),
    mask: (secret) => {
      // The runner's add-mask command; outside a runner there is no log to protect.
      if (env.GITHUB_ACTIONS === 'true') process.stdout.write(`::add-mask::${secret}\n`);
    },
  };
}
