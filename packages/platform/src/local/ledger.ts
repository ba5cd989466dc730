import { open, readFile, truncate } from 'node:fs/promises';
import path from 'node:path';
import type { Ledger, LedgerEntry, LedgerEvent } from '../port.js';
import type { LocalContext } from './context.js';
import { canonicalJson, sha256 } from './digest.js';
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
      // Through JSON first, so the hash covers exactly what a reader parses back.
      const unsigned = JSON.parse(
        JSON.stringify({
          seq: (last?.seq ?? 0) + 1,
          at: this.context.now().toISOString(),
          kind: entry.kind,
          model: entry.model && { name: entry.model.name, version: entry.model.version },
          actor: entry.actor,
          runUrl: entry.runUrl,
          reason: entry.reason,
          details: entry.details,
          prev: last?.hash ?? '',
        }),
      ) as Omit<LedgerEvent, 'hash'>;
      const event: LedgerEvent = { ...unsigned, hash: sha256(canonicalJson(unsigned)) };
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
    const problems: string[] = [];
    let previous: LedgerEvent | undefined;
    let events = 0;
    for (const { number, event } of (await this.read()).lines) {
      if (!event) {
        problems.push(`line ${number}: not a ledger event`);
        continue;
      }
      events++;
      const { hash, ...unsigned } = event;
      if (sha256(canonicalJson(unsigned)) !== hash) {
        problems.push(`event ${event.seq}: hash does not match its content (edited?)`);
      }
      const expectedSeq = (previous?.seq ?? 0) + 1;
      if (event.seq !== expectedSeq) {
        problems.push(`event ${event.seq}: expected seq ${expectedSeq} (events missing or moved)`);
      }
      if (event.prev !== (previous?.hash ?? '')) {
        problems.push(
          previous
            ? `event ${event.seq}: prev does not match event ${previous.seq}'s hash`
            : `event ${event.seq}: prev is not empty but it is the first event`,
        );
      }
      previous = event;
    }
    return { ok: problems.length === 0, events, problems };
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

function parseEvent(line: string): LedgerEvent | undefined {
  try {
    const value: unknown = JSON.parse(line);
    const event = value as LedgerEvent;
    return typeof value === 'object' && value !== null && typeof event.seq === 'number'
      ? event
      : undefined;
  } catch {
    return undefined;
  }
}
