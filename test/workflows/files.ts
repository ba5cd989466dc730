import { readdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../support/project.js';

/** Where the templates a project copies live, and this repository's own workflows. */
export const TEMPLATES_DIR = path.join(REPO_ROOT, 'workflows-templates');
export const WORKFLOWS_DIR = path.join(REPO_ROOT, '.github/workflows');

/** How the templates name this repository: `OWNER/mlops-actions/<path>@<ref>`. */
const SELF = /^[^/]+\/mlops-actions(?:\/(.+?))?@[^@]+$/;

/** Every workflow file the checks cover, as absolute paths: templates first. */
export function workflowFiles(): string[] {
  const list = (dir: string) => {
    try {
      return readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => path.join(dir, f));
    } catch {
      return [];
    }
  };
  return [...list(TEMPLATES_DIR), ...list(WORKFLOWS_DIR)];
}

/** The file's path relative to the repository, as findings name it. */
export function relativeName(file: string): string {
  return path.relative(REPO_ROOT, file);
}

/**
 * What a `uses:` of this repository points at, locally: `OWNER/mlops-actions/
 * .github/workflows/x.yml@v1` -> the workflow file; `OWNER/mlops-actions/actions/
 * <name>@v1` -> the action folder; `OWNER/mlops-actions@v1` -> the repository
 * root (the root action). Undefined for anything else (a third-party action).
 */
export function resolveSelf(uses: string): string | undefined {
  const match = SELF.exec(uses.trim());
  if (!match) return undefined;
  return path.join(REPO_ROOT, match[1] ?? '');
}

/** True for `OWNER/mlops-actions/.github/workflows/<file>@ref` and `./.github/workflows/<file>`. */
export function isReusableWorkflowRef(uses: string): boolean {
  return /(^|\/)\.github\/workflows\/[^/]+\.ya?ml(@|$)/.test(uses);
}
