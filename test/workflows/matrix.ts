import type { Json } from './expressions.js';

type Combination = Record<string, Json>;

function matches(combination: Combination, filter: Combination): boolean {
  return Object.entries(filter).every(
    ([k, v]) => JSON.stringify(combination[k]) === JSON.stringify(v),
  );
}

/**
 * `strategy.matrix` (already evaluated, so `fromJSON(…)` gave an object) as
 * the list of combinations GitHub runs: the cross product of the vectors,
 * minus `exclude`, then each `include` entry extends every combination whose
 * original values it does not overwrite, or is added as its own combination.
 */
export function expandMatrix(matrix: Json): Combination[] {
  if (matrix === null || typeof matrix !== 'object' || Array.isArray(matrix)) {
    throw new Error(`strategy.matrix must be a mapping, got ${JSON.stringify(matrix)}`);
  }
  const { include, exclude, ...vectors } = matrix;
  let combinations: Combination[] = Object.keys(vectors).length ? [{}] : [];
  for (const [key, values] of Object.entries(vectors)) {
    if (!Array.isArray(values)) throw new Error(`matrix.${key} must be a list`);
    combinations = combinations.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  const excludes = (Array.isArray(exclude) ? exclude : []) as Combination[];
  combinations = combinations.filter((c) => !excludes.some((e) => matches(c, e)));
  const originals = combinations.map((c) => ({ ...c }));
  for (const entry of (Array.isArray(include) ? include : []) as Combination[]) {
    let extended = false;
    // Only the original combinations are extended; added ones stay as they are.
    originals.forEach((original, i) => {
      const c = combinations[i]!;
      const overwritesOriginal = Object.entries(entry).some(
        ([k, v]) => k in original && JSON.stringify(original[k]) !== JSON.stringify(v),
      );
      if (!overwritesOriginal) {
        Object.assign(c, entry);
        extended = true;
      }
    });
    if (!extended) combinations.push({ ...entry });
  }
  return combinations;
}
