import { readFile } from 'node:fs/promises';
import { ConfigurationError, messageOf } from '@mlops/foundation';

/** The hidden line that marks the one comment the suite keeps on a pull request. */
export const COMMENT_MARKER = '<!-- mlops-actions:pr-comment -->';

export interface PullRequestTarget {
  apiUrl: string;
  owner: string;
  repo: string;
  number: number;
  token: string;
}

export type Upserted =
  | { outcome: 'created' | 'updated'; id: number; url: string }
  | { outcome: 'not-allowed'; message: string };

/** The pull request of the run's event payload (GITHUB_EVENT_PATH), if it is one. */
export async function pullRequestEvent(
  env: Record<string, string | undefined>,
): Promise<{ number?: number; headSha?: string }> {
  const eventPath = env.GITHUB_EVENT_PATH;
  if (!eventPath) return {};
  const payload = JSON.parse(await readFile(eventPath, 'utf8').catch(() => '{}')) as {
    pull_request?: { number?: number; head?: { sha?: string } };
  };
  return { number: payload.pull_request?.number, headSha: payload.pull_request?.head?.sha };
}

export function repository(env: Record<string, string | undefined>): {
  owner: string;
  repo: string;
} {
  const full = env.GITHUB_REPOSITORY ?? '';
  const [owner, repo, ...rest] = full.split('/');
  if (!owner || !repo || rest.length) {
    throw new ConfigurationError(
      `GITHUB_REPOSITORY must be "owner/name" to comment on a pull request, got "${full}"`,
    );
  }
  return { owner, repo };
}

/**
 * Creates the suite's comment on the pull request, or updates it in place when
 * one with the marker is there already (one comment per pull request, not one
 * per push). @actions/github is loaded only here, so other bundles stay small.
 */
export async function upsertComment(target: PullRequestTarget, body: string): Promise<Upserted> {
  const { getOctokit } = await import('@actions/github');
  const octokit = getOctokit(target.token, { baseUrl: target.apiUrl });
  const where = { owner: target.owner, repo: target.repo };
  try {
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      ...where,
      issue_number: target.number,
      per_page: 100,
    });
    const existing = comments.find((c) => c.body?.includes(COMMENT_MARKER));
    if (existing) {
      const { data } = await octokit.rest.issues.updateComment({
        ...where,
        comment_id: existing.id,
        body,
      });
      return { outcome: 'updated', id: data.id, url: data.html_url };
    }
    const { data } = await octokit.rest.issues.createComment({
      ...where,
      issue_number: target.number,
      body,
    });
    return { outcome: 'created', id: data.id, url: data.html_url };
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 403) {
      // Pull requests from forks get a read-only token: report, do not fail the check.
      return { outcome: 'not-allowed', message: messageOf(error) };
    }
    if (status === 401) {
      throw new ConfigurationError(
        `the GitHub token was refused (401): pass a valid token input (default \${{ github.token }})`,
      );
    }
    throw new Error(
      `commenting on ${target.owner}/${target.repo}#${target.number} failed${status ? ` (${status})` : ''}: ${messageOf(error)}`,
    );
  }
}
