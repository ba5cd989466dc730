import type { Block } from '@mlops/foundation';
import type { RunContext } from './run-context.js';

/** A Markdown link when `url` is a web address, else the text as code. */
export function linkOr(text: string, url: string | undefined): string {
  return url && /^https?:\/\//.test(url)
    ? `[${text.replace(/[[\]]/g, '')}](${url})`
    : `\`${text}\``;
}

/** "run 123, attempt 2" for GITHUB_RUN_ID-ATTEMPT ids. */
function runName(run: RunContext): string {
  const [id, attempt] = run.id.split('-');
  return attempt && attempt !== '1' ? `run ${id}, attempt ${attempt}` : `run ${id}`;
}

/** The workflow run's artifacts on its page; empty off a runner. */
export function artifactsUrl(run: RunContext): string {
  return run.url ? `${run.url}#artifacts` : '';
}

/**
 * The closing line of a summary on a runner: the workflow run it belongs to
 * and any further links (e.g. its artifacts). Nothing locally, where there is
 * no page to link to.
 */
export function runLinks(run: RunContext, more: string[] = []): Block[] {
  if (!run.url) return [];
  return [
    { kind: 'text', text: [`Workflow ${linkOr(runName(run), run.url)}`, ...more].join(' · ') },
  ];
}
