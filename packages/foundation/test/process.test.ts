import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../src/index.js';

const env = { PATH: process.env.PATH };

describe('runCommand', () => {
  it('streams lines from both streams and keeps the tail', async () => {
    const lines: string[] = [];
    const result = await runCommand({
      command: 'echo one; echo two >&2; printf three; exit 4',
      cwd: '/',
      env,
      onLine: (line, stream) => lines.push(`${stream}:${line}`),
    });
    expect(result).toMatchObject({
      exitCode: 4,
      signal: null,
      timedOut: false,
      tail: ['one', 'two', 'three'],
    });
    expect(lines.sort()).toEqual(['stderr:two', 'stdout:one', 'stdout:three']);
  });

  it('kills the whole process group on timeout, children included', async () => {
    const result = await runCommand({
      command: 'sleep 30 & echo "child $!"; wait',
      cwd: '/',
      env,
      timeoutMs: 300,
    });
    expect(result.timedOut).toBe(true);
    const child = Number(result.tail[0]?.split(' ')[1]);
    expect(child).toBeGreaterThan(0);
    // Dead means gone or a zombie: not every init reaps orphans promptly.
    const alive = (): boolean => {
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${child}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 50 && alive(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive()).toBe(false);
  });

  it('passes exactly the environment it is given', async () => {
    const result = await runCommand({
      command: 'echo "$ONLY:${HOME:-unset}"',
      cwd: '/',
      env: { ...env, ONLY: 'yes' },
    });
    expect(result.tail).toEqual(['yes:unset']);
  });
});
