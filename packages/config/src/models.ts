import picomatch from 'picomatch';
import { closest } from 'fastest-levenshtein';
import { ConfigurationError } from '@mlops/foundation';
import { parseGate, type Gate } from './gates.js';
import type { ProjectConfig } from './schema.js';

export interface ModelEpochs {
  pr: number;
  main: number;
  full?: number;
}

/** One trained model: a cell of the matrix, or a model listed by name. */
export interface ModelSpec {
  name: string;
  params: Record<string, string>;
  epochs: ModelEpochs;
  gates: Gate[];
  /** Globs (relative to the project folder) of files only this model uses. */
  paths: string[];
}

export type Stage = keyof ModelEpochs;

/** Azure ML asset names: letters, digits, '-', '_' and '.', up to 255. */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

export interface ModelProblem {
  path: PropertyKey[];
  message: string;
}

/** Expands the models section into named models, collecting every problem found. */
export function expandModels(config: ProjectConfig, problems: ModelProblem[]): ModelSpec[] {
  const defaults = config.epochs;
  const projectGates = config.metrics.gates.map(parseGate);
  const section = config.models;
  if (Array.isArray(section)) {
    return section.map((entry) => ({
      name: entry.name,
      params: stringify(entry.params),
      epochs: { ...defaults, ...definedOnly(entry.epochs) },
      gates: entry.gates ? entry.gates.map(parseGate) : projectGates,
      paths: fillParams(entry.paths ?? [], stringify(entry.params)),
    }));
  }
  const keys = Object.keys(section.matrix);
  const placeholders = [...section.name.matchAll(/\{([^}]*)\}/g)].map((m) => m[1] ?? '');
  for (const name of placeholders.filter((p) => !keys.includes(p))) {
    problems.push({
      path: ['models', 'name'],
      message: `placeholder {${name}} is not a matrix key (keys: ${keys.join(', ')})`,
    });
  }
  for (const key of keys.filter((k) => !placeholders.includes(k))) {
    problems.push({
      path: ['models', 'name'],
      message: `the name template does not use matrix key {${key}}, so model names would repeat; add {${key}}`,
    });
  }
  if (problems.length) return [];
  const cells = keys.reduce<Record<string, string>[]>(
    (acc, key) =>
      acc.flatMap((cell) =>
        (section.matrix[key] ?? []).map((v) => ({ ...cell, [key]: String(v) })),
      ),
    [{}],
  );
  const named = cells.map((params) => ({
    name: section.name.replace(/\{([^}]*)\}/g, (_, key: string) => params[key] ?? ''),
    params,
  }));
  const excluded = checkPatterns(section.exclude, named, ['models', 'exclude'], problems);
  const kept = named.filter((m) => !excluded(m.name));
  const overrides = Object.entries(section.overrides).map(([pattern, tuning]) => ({
    matches: checkPatterns([pattern], kept, ['models', 'overrides', pattern], problems),
    tuning,
  }));
  return kept.map(({ name, params }) => {
    let epochs: ModelEpochs = { ...defaults };
    let gates = projectGates;
    let paths: string[] = [];
    for (const { matches, tuning } of overrides) {
      if (!matches(name)) continue;
      epochs = { ...epochs, ...definedOnly(tuning.epochs) };
      if (tuning.gates) gates = tuning.gates.map(parseGate);
      if (tuning.paths) paths = fillParams(tuning.paths, params);
    }
    return { name, params, epochs, gates, paths };
  });
}

/** Replaces {key} in path globs with the model's matrix value of that key. */
function fillParams(paths: readonly string[], params: Record<string, string>): string[] {
  return paths.map((p) =>
    p.replace(/\{([a-z][a-z0-9_]*)\}/g, (all, key: string) => params[key] ?? all),
  );
}

/** Problems that only show once the models are named: bad or repeated names. */
export function checkModelNames(
  config: ProjectConfig,
  models: ModelSpec[],
  problems: ModelProblem[],
): void {
  const seen = new Set<string>();
  const listed = Array.isArray(config.models);
  for (const [index, model] of models.entries()) {
    const path = listed ? ['models', index, 'name'] : ['models', 'name'];
    if (!MODEL_NAME_PATTERN.test(model.name)) {
      problems.push({
        path,
        message: `model name "${model.name}" is not allowed: use letters, digits, '-', '_' or '.' (at most 255)`,
      });
    }
    if (seen.has(model.name)) {
      problems.push({ path, message: `model name "${model.name}" appears twice` });
    }
    seen.add(model.name);
  }
}

/**
 * Picks models by names or globs (empty = all). A pattern that matches
 * nothing is an error, with the closest model name as a hint.
 */
export function selectModels(models: ModelSpec[], patterns: readonly string[]): ModelSpec[] {
  if (patterns.length === 0) return models;
  const problems: ModelProblem[] = [];
  const matches = checkPatterns(patterns, models, [], problems);
  if (problems[0]) throw new ConfigurationError(`models: ${problems[0].message}`);
  return models.filter((m) => matches(m.name));
}

function checkPatterns(
  patterns: readonly string[],
  models: readonly { name: string }[],
  path: PropertyKey[],
  problems: ModelProblem[],
): (name: string) => boolean {
  const matchers = patterns.map((pattern) => ({ pattern, test: picomatch(pattern) }));
  for (const { pattern, test } of matchers) {
    if (models.some((m) => test(m.name))) continue;
    const names = models.map((m) => m.name);
    const hint = names.length ? `; did you mean "${closest(pattern, names)}"?` : '';
    problems.push({
      path,
      message: `"${pattern}" matches none of the ${names.length} models${hint}`,
    });
  }
  return (name) => matchers.some(({ test }) => test(name));
}

function stringify(params: Record<string, string | number>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]));
}

function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(
    Object.entries(value ?? {}).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

/** Epochs of a model for a stage; `full` falls back to `main`. */
export function epochsFor(model: ModelSpec, stage: Stage): number {
  return model.epochs[stage] ?? model.epochs.main;
}
