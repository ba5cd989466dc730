import { open, readFile, truncate } from 'node:fs/promises';
import path from 'node:path';
import type { Ledger, LedgerEntry, LedgerEvent } from '../port.js';
import type { LocalContext } from './context.js';
import { parseEvent, sealEvent, verifyChain } from '../ledger-chain.js';
import { withLock } from './lock.js';

/** One complete line of the ledger file: its event, or nothing when it does not parse. */
interface Line {
  number: number;
  event?: LedgerEvent;
}

/**
 * `ledger.jsonl`: one event a line, appended under the lock and synced, each
 * carrying the previous one's hash. Bytes after the last newline are an
 * append that was killed midway: never an event, cut off by the next append.
 */
export class LocalLedger implements Ledger {
  private readonly file: string;

  constructor(private readonly context: LocalContext) {
    this.file = path.join(context.stateDir, 'ledger.jsonl');
  }

  append(entry: LedgerEntry): Promise<LedgerEvent> {
    return withLock(this.context.stateDir, async () => {
      const { lines, completeBytes, torn } = await this.read();
      if (torn) await truncate(this.file, completeBytes);
      const last = lines.findLast((line) => line.event)?.event;
      const event = sealEvent(entry, last, this.context.now());
      const handle = await open(this.file, 'a');
      try {
        await handle.write(`${JSON.stringify(event)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return event;
    });
  }

  async list(filter?: { model?: string }): Promise<LedgerEvent[]> {
    const events = (await this.read()).lines.flatMap((line) => (line.event ? [line.event] : []));
    return filter?.model === undefined
      ? events
      : events.filter((event) => event.model?.name === filter.model);
  }

  async verify(): Promise<{ ok: boolean; events: number; problems: string[] }> {
    const { lines } = await this.read();
    return verifyChain(lines.map(({ number, event }) => ({ where: `line ${number}`, event })));
  }

  private async read(): Promise<{ lines: Line[]; completeBytes: number; torn: boolean }> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      text = '';
    }
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    const lines = complete
      .split('\n')
      .slice(0, -1)
      .map((line, index) => ({ number: index + 1, event: parseEvent(line) }));
    return {
      lines,
      completeBytes: Buffer.byteLength(complete),
      torn: complete.length < text.length,
    };
  }
}
