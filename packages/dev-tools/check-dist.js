// Rebuilds dist/ and fails if any bundle differs from what was there before:
// the committed bundles must equal a fresh build of the committed sources.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

function snapshot(dir) {
  const files = new Map();
  if (!existsSync(dir)) return files;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    files.set(file, createHash('sha256').update(readFileSync(file)).digest('hex'));
  }
  return files;
}

const before = snapshot('dist');
execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
const after = snapshot('dist');
const changed = [...new Set([...before.keys(), ...after.keys()])].filter(
  (f) => before.get(f) !== after.get(f),
);
if (changed.length) {
  console.error(
    `dist/ did not match a fresh build (now rebuilt; commit it):\n  ${changed.join('\n  ')}`,
  );
  process.exit(1);
}
console.log(`dist/ matches a fresh build (${after.size} files).`);
