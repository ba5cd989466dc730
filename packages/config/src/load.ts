import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigurationError, didYouMean, readUserFile } from '@mlops/foundation';
import { allowedKeysAt } from './json-schema.js';
import { formatPath, locate, type KeyPath } from './locate.js';
import { checkModelNames, expandModels, type ModelProblem, type ModelSpec } from './models.js';
import { projectSchema, type ProjectConfig } from './schema.js';

export interface LoadedConfig {
  /** Absolute path of the config file. */
  file: string;
  /** The project folder: commands run here and relative paths start here. */
  projectDir: string;
  config: ProjectConfig;
  models: ModelSpec[];
}

export interface ConfigLocation {
  workingDirectory: string;
  /** Relative to the working directory (or absolute). */
  config: string;
}

const MAX_LISTED = 5;

export async function loadConfig(where: ConfigLocation): Promise<LoadedConfig> {
  const projectDir = path.resolve(where.workingDirectory);
  const file = path.resolve(projectDir, where.config);
  const text = await readUserFile(
    file,
    'config file',
    "does not exist: create it (see the README's config reference) or set the 'config' input",
  );
  return parseConfig(text, file, projectDir);
}

/** Parses and validates config text; every problem becomes one line of the error. */
export function parseConfig(
  text: string,
  file: string,
  projectDir = path.dirname(file),
): LoadedConfig {
  const relative = path.relative(process.cwd(), file);
  const name = relative && !relative.startsWith('..') ? relative : file;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const { line, col } = lines.linePos(syntax.pos[0]);
    throw new ConfigurationError(
      `${name}:${line}:${col}: YAML syntax error: ${firstLine(syntax.message)}`,
    );
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigurationError(
      `${name}: expected a mapping of settings (name, train, score, data, models, …), found ${describe(raw)}`,
    );
  }
  const parsed = projectSchema.safeParse(raw, { reportInput: true });
  const problems: { path: KeyPath; message: string; keyOnly?: boolean }[] = [];
  if (!parsed.success) {
    for (const issue of flattenIssues(parsed.error.issues, raw))
      problems.push(describeIssue(issue, raw));
  } else {
    checkData(parsed.data, problems);
    const modelProblems: ModelProblem[] = [];
    const models = expandModels(parsed.data, modelProblems);
    if (!modelProblems.length) checkModelNames(parsed.data, models, modelProblems);
    problems.push(...modelProblems);
    if (!problems.length) return { file, projectDir, config: parsed.data, models };
  }
  const rendered = problems.map((p) => render(name, doc, lines, p));
  const more =
    rendered.length > MAX_LISTED ? [`… and ${rendered.length - MAX_LISTED} more problems`] : [];
  throw new ConfigurationError([...rendered.slice(0, MAX_LISTED), ...more].join('\n'));
}

function render(
  name: string,
  doc: Document,
  lines: LineCounter,
  problem: { path: KeyPath; message: string; keyOnly?: boolean },
): string {
  const at = locate(doc, lines, problem.path, problem.keyOnly);
  const where = at ? `${name}:${at.line}:${at.column}` : name;
  return `${where}: ${formatPath(problem.path)}: ${problem.message}`;
}

type Issue = z.core.$ZodIssue;

/** Unions report one issue list per branch: keep the branch the value was meant for. */
function flattenIssues(issues: readonly Issue[], root: unknown): Issue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
    const fitting = issue.errors.filter(
      (branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0),
    );
    if (fitting.length !== 1) return [issue];
    const branch = (fitting[0] ?? []).map(
      (i) => ({ ...i, path: [...issue.path, ...i.path] }) as Issue,
    );
    return flattenIssues(branch, root);
  });
}

function describeIssue(
  issue: Issue,
  root: unknown,
): { path: KeyPath; message: string; keyOnly?: boolean } {
  const value = valueAt(root, issue.path);
  switch (issue.code) {
    case 'invalid_type':
      return value === undefined
        ? { path: issue.path, message: `is required (${expectedType(issue.expected)})` }
        : {
            path: issue.path,
            message: `expected ${expectedType(issue.expected)}, found ${describe(value)}`,
          };
    case 'unrecognized_keys': {
      const key = issue.keys[0] ?? '';
      const allowed = allowedKeysAt(issue.path);
      const hint = didYouMean(key, allowed);
      return {
        path: [...issue.path, key],
        keyOnly: true,
        message: `unknown key "${key}"${hint}; allowed keys: ${allowed.join(', ')}`,
      };
    }
    case 'invalid_value':
      return {
        path: issue.path,
        message: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, found ${describe(value)}${didYouMean(String(value), issue.values.map(String))}`,
      };
    case 'too_small':
    case 'too_big': {
      const op =
        issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const what = Array.isArray(value)
        ? 'items'
        : typeof value === 'string'
          ? 'characters'
          : undefined;
      return what
        ? {
            path: issue.path,
            message: `expected ${op} ${String(bound)} ${what}, found ${describeLength(value)}`,
          }
        : {
            path: issue.path,
            message: `expected a number ${op} ${String(bound)}, found ${describe(value)}`,
          };
    }
    case 'invalid_format':
      return {
        path: issue.path,
        message: `expected ${issue.message || issue.format}, found ${describe(value)}`,
      };
    case 'invalid_union': {
      if (value === undefined) return { path: issue.path, message: 'is required' };
      const discriminator = (issue as { discriminator?: string }).discriminator;
      // zod reports a bad discriminator at the discriminator key itself.
      return discriminator
        ? {
            path: issue.path,
            message: `expected one of ${allowedDiscriminators()}, found ${describe(value)}`,
          }
        : {
            path: issue.path,
            message: `does not match any allowed form, found ${describe(value)}`,
          };
    }
    default:
      return { path: issue.path, message: `${issue.message}, found ${describe(value)}` };
  }
}

/** Environments are the only discriminated union (by backend). */
function allowedDiscriminators(): string {
  return '"local", "azureml"';
}

function checkData(config: ProjectConfig, problems: { path: KeyPath; message: string }[]): void {
  const { data } = config;
  const columns = Object.keys(data.columns);
  if (!data.keys.includes(data.time)) {
    problems.push({
      path: ['data', 'time'],
      message: `"${data.time}" must be one of data.keys (${data.keys.join(', ')})`,
    });
  }
  if (data.keys.includes(data.target)) {
    problems.push({
      path: ['data', 'target'],
      message: `"${data.target}" is a key column; the target must be another column`,
    });
  }
  for (const [key, column] of [
    ...data.keys.map((k, i) => [['data', 'keys', i], k] as const),
    [['data', 'target'], data.target] as const,
  ]) {
    if (columns.length && !columns.includes(column)) {
      problems.push({
        path: key,
        message: `column "${column}" is not in data.columns${didYouMean(column, columns)}`,
      });
    }
  }
  if (config.test?.['min-coverage'] !== undefined && !config.test.coverage) {
    problems.push({
      path: ['test', 'min-coverage'],
      message: 'needs test.coverage, the Cobertura XML file the test command writes',
    });
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

function expectedType(expected: string): string {
  return (
    (
      {
        array: 'a list',
        object: 'a mapping',
        record: 'a mapping',
        string: 'a string',
        number: 'a number',
        int: 'an integer',
        boolean: 'true or false',
      } as Record<string, string>
    )[expected] ?? expected
  );
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value.length > 40 ? value.slice(0, 40) + '…' : value}"`;
  return `${typeof value} ${String(value)}`;
}

function describeLength(value: unknown): string {
  return Array.isArray(value)
    ? `${value.length}`
    : typeof value === 'string'
      ? `${value.length} ("${value}")`
      : describe(value);
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
