import type { Service } from './types.js';

/*
 * Fault injection. Rules are consumed in the order they were added; each fires `times`
 * times (default 1, Infinity allowed). Transport faults (latency, status, reset) are applied
 * by the router before a request reaches its handler; the others are taken by the LRO and
 * job machinery when an operation starts.
 */

export type FaultKind =
  | { kind: 'latency'; ms: number }
  | { kind: 'status'; status: number; retryAfter?: number; message?: string }
  | { kind: 'reset' }
  | { kind: 'lro-failed'; message: string }
  | { kind: 'job-failed'; message: string }
  | { kind: 'job-canceled' };

export type FaultRule = {
  service?: Service;
  method?: string;
  /** Matched against the path without query (case-insensitive; a string matches when the
   * path contains it); for job faults, against
   * the job's name or display name. */
  path: string | RegExp;
  times?: number;
} & FaultKind;

export interface FaultHandle {
  /** How many times the rule has fired. */
  readonly fired: number;
  remove(): void;
}

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
  fired: number;
}

export class FaultController {
  private rules: ActiveRule[] = [];
  private globalLatencyMs = 0;

  add(rule: FaultRule): FaultHandle {
    const active: ActiveRule = { rule, remaining: rule.times ?? 1, fired: 0 };
    this.rules.push(active);
    return {
      get fired() {
        return active.fired;
      },
      remove: () => {
        this.rules = this.rules.filter((r) => r !== active);
      },
    };
  }

  /** Latency added before every ARM answer (0 turns it off). */
  latency(ms: number): void {
    this.globalLatencyMs = ms;
  }

  clear(): void {
    this.rules = [];
    this.globalLatencyMs = 0;
  }

  get armLatencyMs(): number {
    return this.globalLatencyMs;
  }

  /** Takes the first matching rule of one of `kinds`, counting it down. */
  take<K extends FaultKind['kind']>(
    kinds: readonly K[],
    target: { service?: Service; method?: string; path: string; altPath?: string },
  ): Extract<FaultRule, { kind: K }> | undefined {
    for (const active of this.rules) {
      const { rule } = active;
      if (!(kinds as readonly string[]).includes(rule.kind)) continue;
      if (rule.service && target.service && rule.service !== target.service) continue;
      if (rule.method && target.method && rule.method.toUpperCase() !== target.method) continue;
      if (
        !matches(rule.path, target.path) &&
        !(target.altPath && matches(rule.path, target.altPath))
      ) {
        continue;
      }
      active.remaining -= 1;
      active.fired += 1;
      if (active.remaining <= 0) this.rules = this.rules.filter((r) => r !== active);
      return rule as Extract<FaultRule, { kind: K }>;
    }
    return undefined;
  }
}

function matches(pattern: string | RegExp, value: string): boolean {
  // A string matches when the path contains it, so tests can name just the tail.
  if (typeof pattern === 'string') return value.toLowerCase().includes(pattern.toLowerCase());
  const flags = pattern.flags.includes('i') ? pattern.flags : `${pattern.flags}i`;
  return new RegExp(pattern.source, flags.replace('g', '')).test(value);
}
