import { RecordingLogger, runCommand } from '@mlops/foundation';
import type { StageDeps } from '@mlops/action-kit';

/** In-process stage dependencies that record what the stage logged. */
export function recordingDeps(
  repositoryRoot: string,
): StageDeps & { logger: RecordingLogger; progressLines: string[] } {
  const progressLines: string[] = [];
  return {
    logger: new RecordingLogger(),
    runCommand,
    baseEnv: { PATH: process.env.PATH, HOME: process.env.HOME },
    repositoryRoot,
    cpus: 2,
    now: () => new Date('2026-11-22T00:00:00Z'),
    progress: (line) => progressLines.push(line),
    mask: () => {},
    progressLines,
  };
}
