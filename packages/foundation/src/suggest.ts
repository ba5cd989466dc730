import { closest, distance } from 'fastest-levenshtein';

/** ` (did you mean "x"?)` when one option is close to what was written, else ''. */
export function didYouMean(word: string, options: readonly string[]): string {
  if (!options.length) return '';
  const best = closest(word, [...options]);
  return distance(word, best) <= Math.max(2, Math.floor(word.length / 3))
    ? ` (did you mean "${best}"?)`
    : '';
}
