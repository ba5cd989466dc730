import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLocalPlatform, type LedgerEntry, type Platform } from '../src/index.js';
import { canonicalJson, sha256 } from '../src/local/digest.js';
import { tempDir } from './support/processes.js';

const entry = (reason: string, model = 'demand-north'): LedgerEntry => ({
  kind: 'register',
  model: { name: model, version: 1 },
  actor: 'octocat',
  runUrl: 'https://github.com/o/r/actions/runs/1',
  reason,
  details: { metrics: { mape: 0.31 }, note: undefined },
});

async function ledgerWith(reasons: string[]): Promise<{ p: Platform; file: string }> {
  let tick = 0;
  const p = await openLocalPlatform({
    environment: 'dev',
    stateDir: await tempDir(),
    now: () => new Date(Date.UTC(2026, 10, 22, 10, 0, tick++)),
  });
  for (const reason of reasons) await p.ledger.append(entry(reason));
  return { p, file: path.join(p.location, 'ledger.jsonl') };
}

async function editLines(file: string, edit: (lines: string[]) => string[]): Promise<void> {
  const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
  await writeFile(file, `${edit(lines).join('\n')}\n`);
}

describe('local ledger', () => {
  it('chains events: seq, time, prev and a hash over the canonical event', async () => {
    const { p } = await ledgerWith(['first', 'second', 'third']);
    const events = await p.ledger.list();
    expect(events.map((e) => [e.seq, e.at, e.reason])).toEqual([
      [1, '2026-11-22T10:00:00.000Z', 'first'],
      [2, '2026-11-22T10:00:01.000Z', 'second'],
      [3, '2026-11-22T10:00:02.000Z', 'third'],
    ]);
    expect(events.map((e) => e.prev)).toEqual(['', events[0]!.hash, events[1]!.hash]);
    const first = events[0]!;
    // Keys sorted, undefined members left out.
    const canonical =
      '{"actor":"octocat","at":"2026-11-22T10:00:00.000Z","details":{"metrics":{"mape":0.31}},' +
      '"kind":"register","model":{"name":"demand-north","version":1},"prev":"",' +
      '"reason":"first","runUrl":"https://github.com/o/r/actions/runs/1","seq":1}';
    expect(first.hash).toBe(createHash('sha256').update(canonical).digest('hex'));
    expect(await p.ledger.verify()).toEqual({ ok: true, events: 3, problems: [] });
  });

  it('lists the events about one model', async () => {
    const { p } = await ledgerWith(['a']);
    await p.ledger.append(entry('b', 'other'));
    await p.ledger.append({ kind: 'publish', actor: 'me', reason: 'no model', details: {} });
    expect((await p.ledger.list({ model: 'other' })).map((e) => e.reason)).toEqual(['b']);
    expect(await p.ledger.list()).toHaveLength(3);
  });

  it('reports an edited event', async () => {
    const { p, file } = await ledgerWith(['first', 'second', 'third']);
    await editLines(file, (lines) =>
      lines.map((line, i) => (i === 1 ? line.replace('"second"', '"approved"') : line)),
    );
    expect(await p.ledger.verify()).toEqual({
      ok: false,
      events: 3,
      problems: ['event 2: hash does not match its content (edited?)'],
    });
  });

  it('reports a deleted event as a broken link and a seq gap', async () => {
    const { p, file } = await ledgerWith(['first', 'second', 'third', 'fourth']);
    await editLines(file, (lines) => lines.filter((_, i) => i !== 2));
    expect(await p.ledger.verify()).toEqual({
      ok: false,
      events: 3,
      problems: [
        'event 4: expected seq 3 (events missing or moved)',
        "event 4: prev does not match event 2's hash",
      ],
    });
  });

  it('reports a line that is not an event and an edit that re-hashed its event', async () => {
    const { p, file } = await ledgerWith(['first', 'second', 'third']);
    await editLines(file, (lines) => {
      const second = JSON.parse(lines[1]!) as Record<string, unknown>;
      // Re-hashing the edited event hides the edit there, but not from the next event.
      const edited: Record<string, unknown> = { ...second, reason: 'approved' };
      delete edited.hash;
      edited.hash = sha256(canonicalJson(edited));
      return [lines[0]!, JSON.stringify(edited), lines[2]!, 'not json'];
    });
    expect((await p.ledger.verify()).problems).toEqual([
      "event 3: prev does not match event 2's hash",
      'line 4: not a ledger event',
    ]);
  });
});
