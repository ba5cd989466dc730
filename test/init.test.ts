import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKFLOW_TEMPLATES } from '../packages/cli/src/workflow-templates.js';
import { fillTemplate } from '../packages/cli/src/init.js';
import { runCli } from './support/bundle.js';
import { REPO_ROOT, tempDir, TINY_PROJECT } from './support/project.js';

const FILES = ['main.yml', 'pr.yml', 'promote.yml', 'release.yml', 'retrain.yml'];

/** A repository holding the tiny project's config in ml/, as a monorepo would. */
async function repository(config: (text: string) => string = (t) => t): Promise<string> {
  const root = await tempDir('mlops-init-');
  await mkdir(path.join(root, 'ml'));
  const text = await readFile(path.join(TINY_PROJECT, 'mlops.yaml'), 'utf8');
  await writeFile(path.join(root, 'ml/mlops.yaml'), config(text));
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: root });
  return root;
}

function init(root: string, ...args: string[]) {
  return runCli(
    ['init', '--working-directory', 'ml', '--actions-repo', 'acme/mlops-actions', ...args],
    root,
  );
}

describe('mlops init', () => {
  it('embeds the committed workflows-templates/ files', async () => {
    expect(Object.keys(WORKFLOW_TEMPLATES)).toEqual(FILES);
    for (const name of FILES) {
      expect(WORKFLOW_TEMPLATES[name]).toBe(
        await readFile(path.join(REPO_ROOT, 'workflows-templates', name), 'utf8'),
      );
    }
  });

  it('writes the five workflows filled from the project, then keeps identical ones', async () => {
    const root = await repository();
    const run = await init(root);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(FILES.map((f) => `wrote .github/workflows/${f}\n`).join(''));
    expect((await readdir(path.join(root, '.github/workflows'))).sort()).toEqual(FILES);
    for (const name of FILES) {
      const text = await readFile(path.join(root, '.github/workflows', name), 'utf8');
      expect(text).not.toContain('OWNER');
      expect(text).toContain('      working-directory: ml\n      config: mlops.yaml\n');
      expect(text).toMatch(/uses: acme\/mlops-actions\/\.github\/workflows\/mlops-[a-z]+\.yml@v1/);
    }
    const main = await readFile(path.join(root, '.github/workflows/main.yml'), 'utf8');
    expect(main).toContain('      environment: dev\n');

    const again = await init(root);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(
      FILES.map((f) => `kept .github/workflows/${f} (already up to date)\n`).join(''),
    );
  });

  it('refuses to overwrite a changed workflow (exit 2) unless --force', async () => {
    const root = await repository();
    await init(root);
    const pr = path.join(root, '.github/workflows/pr.yml');
    const written = await readFile(pr, 'utf8');
    await writeFile(pr, `${written}# my own change\n`);
    const refused = await init(root);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'refused .github/workflows/pr.yml: it differs from the template; pass --force to overwrite it\n',
    );
    expect(refused.stderr).toContain(
      'error: 1 of 5 workflow files differ from the templates and were left alone (--force overwrites them)\n',
    );
    expect(refused.stdout).toContain('kept .github/workflows/main.yml (already up to date)\n');
    expect(await readFile(pr, 'utf8')).toBe(`${written}# my own change\n`);

    const forced = await init(root, '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('overwrote .github/workflows/pr.yml\n');
    expect(await readFile(pr, 'utf8')).toBe(written);
  });

  it('uses the config’s names for the dev and prod environments', async () => {
    const root = await repository((t) =>
      t.replace(
        / {2}dev: .*\n {2}prod: .*\n/,
        '  staging: { backend: local }\n  production: { backend: local }\n',
      ),
    );
    const run = await init(root);
    expect(run.code).toBe(0);
    const read = (f: string) => readFile(path.join(root, '.github/workflows', f), 'utf8');
    expect(await read('main.yml')).toContain('      environment: staging\n');
    expect(await read('main.yml')).toContain('group: mlops-deliver-staging\n');
    expect(await read('release.yml')).toContain('      environment: production\n');
    expect(await read('retrain.yml')).toContain('      environment: production\n');
    expect(await read('promote.yml')).toContain(
      '        type: choice\n        options: [production]\n        default: production\n',
    );
  });

  it('fills a template in place without touching the rest', () => {
    const filled = fillTemplate(WORKFLOW_TEMPLATES['release.yml']!, {
      workingDirectory: 'services/forecast',
      config: 'config/mlops.yaml',
      dev: 'dev',
      prod: 'prod',
    });
    expect(filled).toContain('uses: OWNER/mlops-actions/.github/workflows/mlops-deliver.yml@v1');
    expect(filled).toContain(
      '      working-directory: services/forecast\n      config: config/mlops.yaml\n',
    );
    expect(filled.split('\n').length).toBe(WORKFLOW_TEMPLATES['release.yml']!.split('\n').length);
  });

  it('refuses a malformed --actions-repo with one line', async () => {
    const root = await repository();
    const run = await runCli(
      ['init', '--working-directory', 'ml', '--actions-repo', 'https://github.com/acme/x'],
      root,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'error: --actions-repo must be "owner/name" of the mlops-actions repository, got "https://github.com/acme/x"\n',
    );
  });
});
