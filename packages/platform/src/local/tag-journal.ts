import { rm } from 'node:fs/promises';
import path from 'node:path';
import { readJson, writeJson } from './files.js';

/*
 * A multi-version setTags is all-or-nothing through a journal: under the lock
 * the complete new tags of every version are written to one file (the commit
 * point), applied version by version, then the epoch is bumped and the journal
 * deleted. Whoever finds a journal treats it as the truth: writers apply it,
 * readers lay it over what they read.
 */

export interface TagJournal {
  /** The epoch this change brings the registry to. */
  epoch: number;
  versions: { name: string; version: number; tags: Record<string, string> }[];
}

/** Counts completed tag changes, so a reader can tell one finished while it read. */
export interface TagState {
  epoch: number;
  journal?: TagJournal;
}

const journalFile = (stateDir: string): string => path.join(stateDir, 'tags-journal.json');
const epochFile = (stateDir: string): string => path.join(stateDir, 'tags-epoch.json');

/**
 * Journal first, then epoch: a change that completes between a reader's two
 * reads of this either leaves its journal here or has already moved the epoch.
 */
export async function readTagState(stateDir: string): Promise<TagState> {
  const journal = await readJson<TagJournal>(journalFile(stateDir));
  const epoch = (await readJson<number>(epochFile(stateDir))) ?? 0;
  return journal ? { epoch, journal } : { epoch };
}

/** The same tag state: no change completed or started in between. */
export function sameTagState(a: TagState, b: TagState): boolean {
  return a.epoch === b.epoch && a.journal?.epoch === b.journal?.epoch;
}

export async function writeJournal(stateDir: string, journal: TagJournal): Promise<void> {
  await writeJson(journalFile(stateDir), journal);
}

/** After the journal is applied: the epoch moves on first, then the journal goes. */
export async function closeJournal(stateDir: string, journal: TagJournal): Promise<void> {
  await writeJson(epochFile(stateDir), journal.epoch);
  await rm(journalFile(stateDir), { force: true });
}
