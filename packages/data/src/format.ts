/** Messages show a few offending values, never all of them. */
export const MAX_EXAMPLES = 3;

export interface Example {
  line: number;
  value: string;
}

/** Counts offences of one kind and keeps the first few as examples. */
export class Tally {
  count = 0;
  readonly examples: Example[] = [];

  add(line: number, value: string): void {
    if (this.count++ < MAX_EXAMPLES) this.examples.push({ line, value });
  }
}

/** `3 values` / `1 value`. */
export function plural(count: number, singular: string, several = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : several}`;
}

/** A cell value as shown in messages: quoted, and cut short when long. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

/** `(line 14: "-2", line 80: "-1", …)`: the examples, with an ellipsis when there are more. */
export function examplesOf(
  tally: Tally,
  show = (e: Example) => `line ${e.line}: ${quote(e.value)}`,
  separator = ', ',
): string {
  const more = tally.count > tally.examples.length ? `${separator}…` : '';
  return `(${tally.examples.map(show).join(separator)}${more})`;
}
