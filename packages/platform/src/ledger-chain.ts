import type { LedgerEntry, LedgerEvent } from './port.js';
import { canonicalJson, sha256 } from './local/digest.js';

/** The event that follows `last`: numbered, timed and chained to it by hash. */
export function sealEvent(
  entry: LedgerEntry,
  last: LedgerEvent | undefined,
  at: Date,
): LedgerEvent {
  // Through JSON first, so the hash covers exactly what a reader parses back.
  const unsigned = JSON.parse(
    JSON.stringify({
      seq: (last?.seq ?? 0) + 1,
      at: at.toISOString(),
      kind: entry.kind,
      model: entry.model && { name: entry.model.name, version: entry.model.version },
      actor: entry.actor,
      runUrl: entry.runUrl,
      reason: entry.reason,
      details: entry.details,
      prev: last?.hash ?? '',
    }),
  ) as Omit<LedgerEvent, 'hash'>;
  return { ...unsigned, hash: sha256(canonicalJson(unsigned)) };
}

/** Re-computes the chain; `where` names an entry that is not an event (a line, a version). */
export function verifyChain(entries: readonly { where: string; event?: LedgerEvent }[]): {
  ok: boolean;
  events: number;
  problems: string[];
} {
  const problems: string[] = [];
  let previous: LedgerEvent | undefined;
  let events = 0;
  for (const { where, event } of entries) {
    if (!event) {
      problems.push(`${where}: not a ledger event`);
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

/** An event from its stored text, or undefined when it is not one. */
export function parseEvent(text: string): LedgerEvent | undefined {
  try {
    const value: unknown = JSON.parse(text);
    const event = value as LedgerEvent;
    return typeof value === 'object' && value !== null && typeof event.seq === 'number'
      ? event
      : undefined;
  } catch {
    return undefined;
  }
}
