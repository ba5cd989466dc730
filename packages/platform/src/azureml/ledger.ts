import type { DataVersionBase } from '@azure/arm-machinelearning';
import { parseEvent, sealEvent, verifyChain } from '../ledger-chain.js';
import type { Ledger, LedgerEntry, LedgerEvent } from '../port.js';
import type { AzureContext } from './context.js';
import { isConflict, isNotFound } from './errors.js';
import { Serial } from './serial.js';

/** The data asset whose versions are the ledger: version N is event N. */
export const LEDGER_ASSET = 'mlops-ledger';
const APPEND_ATTEMPTS = 8;

/**
 * The ledger in the workspace itself, next to the models it is about: each
 * event is a version of the data asset `mlops-ledger` (its description holds
 * the event, its properties the hash chain). A version number can be taken
 * once, so two writers never both append event N: the loser re-reads and
 * chains after the winner.
 */
export class AzureLedger implements Ledger {
  private readonly serial = new Serial();
  /** The last event this process appended or read: the next one chains to it without a read. */
  private cached?: LedgerEvent;

  constructor(private readonly context: AzureContext) {}

  append(entry: LedgerEntry): Promise<LedgerEvent> {
    return this.serial.run(LEDGER_ASSET, async () => {
      const { client, rg, ws } = this.context;
      const storage = await this.context.storage();
      for (let attempt = 1; ; attempt++) {
        const last = attempt === 1 && this.cached ? this.cached : await this.last();
        const event = sealEvent(entry, last, this.context.now());
        try {
          await client.dataVersions.createOrUpdate(rg, ws, LEDGER_ASSET, String(event.seq), {
            properties: {
              dataType: 'uri_folder',
              dataUri: `${storage.uri(LEDGER_ASSET)}/`,
              description: JSON.stringify(event),
              properties: { hash: event.hash, prev: event.prev, kind: event.kind },
              tags: event.model ? { model: event.model.name } : {},
            },
          });
          this.cached = event;
          return event;
        } catch (error) {
          // Another writer took this number: chain after theirs.
          if (!isConflict(error) || attempt === APPEND_ATTEMPTS)
            throw this.context.problem(error, `appending ledger event ${event.seq}`);
        }
      }
    });
  }

  async list(filter?: { model?: string }): Promise<LedgerEvent[]> {
    // The model tag lets Azure filter, so one model's history does not read everyone's.
    const events = (await this.read(filter?.model)).flatMap((entry) =>
      entry.event ? [entry.event] : [],
    );
    return filter?.model === undefined
      ? events
      : events.filter((event) => event.model?.name === filter.model);
  }

  async verify(): Promise<{ ok: boolean; events: number; problems: string[] }> {
    return verifyChain(await this.read());
  }

  private async last(): Promise<LedgerEvent | undefined> {
    const { client, rg, ws } = this.context;
    const container = await client.dataContainers.get(rg, ws, LEDGER_ASSET).catch((error) => {
      if (isNotFound(error)) return undefined;
      throw this.context.problem(error, 'reading the ledger');
    });
    const latest = container?.properties.latestVersion;
    if (!latest) return undefined;
    const version = await this.context.call(`reading ledger event ${latest}`, () =>
      client.dataVersions.get(rg, ws, LEDGER_ASSET, latest),
    );
    this.cached = eventOf(version);
    return this.cached;
  }

  private async read(model?: string): Promise<{ where: string; event?: LedgerEvent }[]> {
    const { client, rg, ws } = this.context;
    return this.context.call('reading the ledger', async () => {
      const versions: DataVersionBase[] = [];
      const options = model === undefined ? {} : { tags: `model=${model}` };
      try {
        for await (const version of client.dataVersions.list(rg, ws, LEDGER_ASSET, options))
          versions.push(version);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      return versions
        .sort((a, b) => Number(a.name) - Number(b.name))
        .map((version) => ({
          where: `${LEDGER_ASSET} version ${version.name}`,
          event: eventOf(version),
        }));
    });
  }
}

function eventOf(version: DataVersionBase): LedgerEvent | undefined {
  return parseEvent(version.properties.description ?? '');
}
