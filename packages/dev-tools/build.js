// Builds one ESM bundle per action, plus the root action and the CLI, into dist/.
import { spawn } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';

const entries = [
  ...readdirSync('actions').map((name) => [name, `actions/${name}/src/index.ts`]),
  ['root-action', 'packages/root-action/src/index.ts'],
  ['cli', 'packages/cli/src/index.ts'],
];

function ncc(name, entry) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        'node_modules/@vercel/ncc/dist/ncc/cli.js',
        'build',
        entry,
        '-o',
        `dist/${name}`,
        '--license',
        'licenses.txt',
        '--quiet',
        '--target',
        'es2022',
      ],
      { stdio: 'inherit' },
    );
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`ncc failed for ${name} (exit ${code})`)),
    );
  });
}

rmSync('dist', { recursive: true, force: true });
// Two at a time: the machines this runs on have two cores.
const queue = [...entries];
await Promise.all(
  [0, 1].map(async () => {
    for (let next = queue.shift(); next; next = queue.shift()) await ncc(...next);
  }),
);
