import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { defineAction } from '@mlops/action-kit';
import { ConfigurationError, toMarkdown, type Block, type Cell } from '@mlops/foundation';
import type { ChampionsFile, EnvironmentChampions } from './champions.js';
import { formatNumber, plural, STATUS_ICON } from './format.js';
import type { ModelValidation } from './model-validation.js';
import {
  COMMENT_MARKER,
  pullRequestEvent,
  repository,
  upsertComment,
  type Upserted,
} from './pull-request-comment.js';

/** Rows in the comment; GitHub caps a comment at 65,536 characters. */
const MAX_ROWS = 200;
const CHAMPION_ENVIRONMENT = 'prod';

export interface PrCommentInputs {
  workingDirectory: string;
  results: string;
  champions?: string;
  models: string[];
  token?: string;
  pullRequest?: number;
}

interface Row {
  name: string;
  validation?: ModelValidation;
}

export const prComment = defineAction<PrCommentInputs>({
  name: 'pr-comment',
  title: 'Pull-request comment',
  description:
    'Keeps one comment on the pull request, updated in place on every push: per model the MAPE, the baseline’s, the current champion’s and the gates, from the basic-model-validate results of the matrix jobs.',
  inputs: {
    results: {
      description:
        'Folder with the basic-model-validate results (metrics.json files, searched recursively, e.g. the downloaded artifacts of the matrix jobs).',
      default: '.mlops/validate/pr',
    },
    champions: {
      description:
        'Champion metrics as `mlops status --json` writes them (the mlops-champions artifact of the last delivery); empty for none.',
    },
    models: {
      description:
        'The models that were to be validated (plan’s models output), comma-separated; those without a result are listed as missing.',
    },
    token: {
      description: 'GitHub token allowed to comment on pull requests (pull-requests: write).',
      default: '${{ github.token }}',
    },
    'pull-request': {
      description: 'Pull request number; empty for the pull request of the triggering event.',
    },
  },
  outputs: {
    'comment-id': 'Id of the created or updated comment, empty when none was written.',
    'comment-url': 'Link to the comment, empty when none was written.',
  },
  parseInputs: (read) => {
    const token = read.optional('token');
    return {
      workingDirectory: read.string('working-directory'),
      results: read.string('results'),
      champions: read.optional('champions'),
      models: read.list('models'),
      // The CLI has no expressions: an unexpanded default means "no token given".
      token: token && !token.startsWith('${{') ? token : undefined,
      pullRequest: read.optional('pull-request')
        ? read.integer('pull-request', { min: 1 })
        : undefined,
    };
  },
  execute: async (inputs, deps) => {
    const env = deps.baseEnv;
    const projectDir = path.resolve(inputs.workingDirectory);
    const results = await readResults(path.resolve(projectDir, inputs.results));
    const champions = inputs.champions
      ? await readChampions(path.resolve(projectDir, inputs.champions))
      : undefined;
    const event = await pullRequestEvent(env);
    const number = inputs.pullRequest ?? event.number;
    const sha = event.headSha ?? env.GITHUB_SHA;
    const runUrl =
      env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
        ? `${env.GITHUB_SERVER_URL || 'https://github.com'}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
        : undefined;
    const blocks = renderComment(results, inputs.models, champions, { sha, runUrl });
    if (number === undefined) {
      return {
        outputs: { 'comment-id': '', 'comment-url': '' },
        report: [
          ...blocks,
          { kind: 'text', text: 'No pull request in this run: the comment was not posted.' },
        ],
      };
    }
    const token = inputs.token ?? env.GITHUB_TOKEN;
    if (!token) {
      throw new ConfigurationError(
        `input 'token' is empty: pass a token that may comment on pull requests (default \${{ github.token }}, with permissions pull-requests: write)`,
      );
    }
    const done: Upserted = await upsertComment(
      {
        apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
        ...repository(env),
        number,
        token,
      },
      `${COMMENT_MARKER}\n${toMarkdown(blocks)}`,
    );
    if (done.outcome === 'not-allowed') {
      deps.logger.warning(
        `Could not comment on pull request #${number} (the token may not write to it; pull requests from forks get a read-only token): ${done.message}`,
      );
      return {
        outputs: { 'comment-id': '', 'comment-url': '' },
        report: [
          ...blocks,
          { kind: 'text', text: `⚠️ Not posted on #${number}: the token may not comment.` },
        ],
      };
    }
    deps.logger.info(`${done.outcome === 'created' ? 'Created' : 'Updated'} ${done.url}`);
    return {
      outputs: { 'comment-id': String(done.id), 'comment-url': done.url },
      report: [
        ...blocks,
        {
          kind: 'text',
          text: `${done.outcome === 'created' ? 'Posted' : 'Updated'} [the comment on #${number}](${done.url}).`,
        },
      ],
    };
  },
});

/** Every model result under `dir`; a later run of the same model wins. Missing folder: none. */
async function readResults(dir: string): Promise<Map<string, ModelValidation>> {
  const byName = new Map<string, ModelValidation>();
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      if (error.code === 'ENOTDIR') {
        throw new ConfigurationError(`input 'results': ${dir} is a file; pass the folder`);
      }
      throw error;
    },
  );
  const files = entries
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  for (const file of files) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'));
    } catch {
      continue;
    }
    const models = (parsed as { models?: unknown }).models;
    if (!Array.isArray(models)) continue;
    for (const m of models as ModelValidation[]) {
      if (typeof m?.name === 'string' && m.checks) byName.set(m.name, m);
    }
  }
  return byName;
}

async function readChampions(file: string): Promise<ChampionsFile | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    // The artifact is absent until the first delivery: compare with nothing.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as ChampionsFile;
    if (!Array.isArray(parsed.environments)) throw new Error('no environments');
    return parsed;
  } catch {
    throw new ConfigurationError(
      `input 'champions': ${file} is not the JSON of \`mlops status --json\` ({"environments": […]})`,
    );
  }
}

/** The environment whose champions a pull request is compared with: prod, else the last. */
function championEnvironment(file: ChampionsFile | undefined): EnvironmentChampions | undefined {
  const list = file?.environments ?? [];
  return list.find((e) => e.name === CHAMPION_ENVIRONMENT) ?? list[list.length - 1];
}

function firstFailure(v: ModelValidation): string {
  for (const [check, result] of Object.entries(v.checks)) {
    if (result.status === 'failed') return `${check}${result.message ? `: ${result.message}` : ''}`;
  }
  return 'failed';
}

export function renderComment(
  results: Map<string, ModelValidation>,
  planned: string[],
  champions: ChampionsFile | undefined,
  run: { sha?: string; runUrl?: string },
): Block[] {
  const names = [...new Set([...planned, ...results.keys()])];
  const rows: Row[] = names.map((name) => ({ name, validation: results.get(name) }));
  const rank = (r: Row) => (!r.validation ? 1 : r.validation.passed ? 2 : 0);
  rows.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  const passed = rows.filter((r) => r.validation?.passed).length;
  const failed = rows.filter((r) => r.validation && !r.validation.passed).length;
  const missing = rows.length - passed - failed;
  const env = championEnvironment(champions);
  const champion = new Map((env?.models ?? []).map((m) => [m.name, m.champion]));
  const where = [
    run.sha ? `commit \`${run.sha.slice(0, 7)}\`` : '',
    run.runUrl ? `[workflow run](${run.runUrl})` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const blocks: Block[] = [{ kind: 'heading', text: 'mlops: basic model validation' }];
  if (rows.length === 0) {
    blocks.push({
      kind: 'text',
      text: `No model is affected by this change, so none was validated.${where ? ` ${where}` : ''}`,
    });
    return blocks;
  }
  blocks.push({
    kind: 'text',
    text: [
      `**${passed} of ${rows.length} models passed**`,
      failed ? `${STATUS_ICON.failed} ${failed} failed` : '',
      missing ? `⚠️ ${plural(missing, 'model')} without a result` : '',
      where,
    ]
      .filter(Boolean)
      .join(' · '),
  });
  const table: Cell[][] = rows.slice(0, MAX_ROWS).map(({ name, validation: v }) => {
    const best = champion.get(name);
    return [
      `\`${name}\``,
      !v
        ? '⚠️ no result'
        : v.passed
          ? STATUS_ICON.passed
          : `${STATUS_ICON.failed} ${firstFailure(v)}`,
      formatNumber(v?.metrics?.mape),
      formatNumber(v?.baseline?.mape),
      best ? `${formatNumber(best.metrics.mape)} (v${best.version})` : '–',
      v?.gates.length
        ? v.gates
            .map(
              (g) =>
                `${g.passed ? STATUS_ICON.passed : STATUS_ICON.failed} ${g.gate.text}${g.passed ? '' : ` (${formatNumber(g.actual)})`}`,
            )
            .join(', ')
        : '–',
    ];
  });
  blocks.push({
    kind: 'table',
    headers: [
      'Model',
      'Result',
      'MAPE',
      'Baseline MAPE',
      env ? `Champion MAPE (${env.name})` : 'Champion MAPE',
      'Gates',
    ],
    rows: table,
  });
  if (rows.length > MAX_ROWS) {
    blocks.push({
      kind: 'text',
      text: `… and ${rows.length - MAX_ROWS} more models: see the job summaries of the run.`,
    });
  }
  blocks.push({
    kind: 'text',
    text: env
      ? `MAPE on the checked-in sample with the pull-request epochs; the champion’s on the full data in ${env.name} (${champions?.generatedAt.slice(0, 10) ?? ''}).`
      : 'MAPE on the checked-in sample with the pull-request epochs. No champion metrics yet: they come from the mlops-champions artifact of the first delivery.',
  });
  return blocks;
}
