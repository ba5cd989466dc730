#!/usr/bin/env bash
# The quick-start main command: the whole documented flow (PR -> main -> release
# -> promote) on the example project with the embedded backend, from the
# committed CLI bundle (no npm install needed).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash packages/dev-tools/ensure-python.sh
exec node dist/cli/index.js flow all --working-directory examples/demand-forecasting "$@"
