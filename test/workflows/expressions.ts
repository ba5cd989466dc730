import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import type { ExpressionData } from '@actions/expressions/data/expressiondata';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import { truthy } from '@actions/expressions/result';

/** A plain JSON value: what contexts hold and what evaluation returns. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * What an expression sees: the named contexts (github, env, inputs, needs,
 * steps, matrix, vars, secrets, jobs, …), the job or step status for the
 * status functions, and the workspace for hashFiles.
 */
export interface Scope {
  contexts: Record<string, Json>;
  /** No earlier step (or needed job) failed. */
  success: () => boolean;
  workspace: string;
}

const STATUS_FUNCTIONS = ['success', 'failure', 'always', 'cancelled'];

function toData(value: Json | undefined): ExpressionData {
  return JSON.parse(JSON.stringify(value ?? null), data.reviver) as ExpressionData;
}

function fromData(value: ExpressionData): Json {
  return JSON.parse(JSON.stringify(value, data.replacer)) as Json;
}

function functions(scope: Scope): Map<string, FunctionDefinition> {
  const bool = (name: string, f: () => boolean): [string, FunctionDefinition] => [
    name,
    { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(f()) },
  ];
  return new Map([
    bool('success', () => scope.success()),
    bool('failure', () => !scope.success()),
    bool('always', () => true),
    bool('cancelled', () => false),
    [
      'hashfiles',
      {
        name: 'hashFiles',
        minArgs: 1,
        maxArgs: 255,
        call: (...patterns) =>
          new data.StringData(
            hashFiles(
              scope.workspace,
              patterns.map((p) => p.coerceString()),
            ),
          ),
      },
    ],
  ]);
}

/** Evaluates one expression (the text between `${{` and `}}`). */
export function evaluate(expression: string, scope: Scope): Json {
  const { tokens } = new Lexer(expression).lex();
  const fns = functions(scope);
  const parser = new Parser(
    tokens,
    Object.keys(scope.contexts),
    [...fns.values()].map(({ name, minArgs, maxArgs }) => ({ name, minArgs, maxArgs })),
  );
  const context = new data.Dictionary(
    ...Object.entries(scope.contexts).map(([key, value]) => ({ key, value: toData(value) })),
  );
  return fromData(new Evaluator(parser.parse(), context, fns).evaluate());
}

/** The `${{ … }}` parts of a string, with the literal text around them. */
function segments(text: string): { literal: string; expression?: string }[] {
  const parts: { literal: string; expression?: string }[] = [];
  let rest = text;
  for (;;) {
    const start = rest.indexOf('${{');
    if (start < 0) break;
    // The closing `}}` outside a single-quoted string literal.
    let i = start + 3;
    let quoted = false;
    for (; i < rest.length; i++) {
      if (rest[i] === "'") quoted = !quoted;
      else if (!quoted && rest.startsWith('}}', i)) break;
    }
    if (i >= rest.length) throw new Error(`unclosed \${{ in: ${text}`);
    parts.push({ literal: rest.slice(0, start), expression: rest.slice(start + 3, i).trim() });
    rest = rest.slice(i + 2);
  }
  parts.push({ literal: rest });
  return parts;
}

/**
 * Replaces every `${{ … }}` in a value, as the runner does: a string that is
 * exactly one expression becomes its value (an object stays an object),
 * anything else becomes a string. Mappings and sequences are walked.
 */
export function interpolate(value: unknown, scope: Scope): Json {
  if (typeof value === 'string') {
    const parts = segments(value);
    if (parts.length === 1) return value;
    if (parts.length === 2 && parts[0]!.literal === '' && parts[1]!.literal === '') {
      return evaluate(parts[0]!.expression!, scope);
    }
    return parts
      .map(
        (p) =>
          p.literal + (p.expression === undefined ? '' : asString(evaluate(p.expression, scope))),
      )
      .join('');
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, scope));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        interpolate(k, scope) as string,
        interpolate(v, scope),
      ]),
    );
  }
  return (value ?? null) as Json;
}

/** A value as text, as the runner writes it into an input or a script. */
export function asString(value: Json): string {
  if (value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value, null, 2);
  return String(value);
}

/**
 * An `if:` condition: `${{ }}` is optional, and a condition without a status
 * function means `success() && (condition)`.
 */
export function condition(text: unknown, scope: Scope): boolean {
  if (text === undefined || text === null || text === '') return scope.success();
  if (typeof text === 'boolean') return text && scope.success();
  let expression = String(text).trim();
  const whole = /^\$\{\{([\s\S]*)\}\}$/.exec(expression);
  if (whole && segments(expression).length === 2) expression = whole[1]!.trim();
  const usesStatus = new RegExp(`\\b(${STATUS_FUNCTIONS.join('|')})\\s*\\(`, 'i').test(expression);
  const wrapped = usesStatus ? expression : `success() && (${expression})`;
  return truthy(toData(evaluate(wrapped, scope)));
}

/** hashFiles: sha256 over the sha256 of every matching file, '' when none match. */
function hashFiles(workspace: string, patterns: string[]): string {
  const include = patterns.filter((p) => !p.startsWith('!'));
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const isIncluded = picomatch(include, { dot: true });
  const isExcluded = exclude.length ? picomatch(exclude, { dot: true }) : () => false;
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (name === '.git' || name === 'node_modules') continue;
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else {
        const rel = path.relative(workspace, full);
        if (isIncluded(rel) && !isExcluded(rel)) files.push(full);
      }
    }
  };
  walk(workspace);
  if (files.length === 0) return '';
  const outer = createHash('sha256');
  for (const file of files) outer.update(createHash('sha256').update(readFileSync(file)).digest());
  return outer.digest('hex');
}
