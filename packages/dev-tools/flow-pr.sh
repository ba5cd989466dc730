#!/usr/bin/env bash
# The quick-start main command: the pull-request stage on the example project,
# from the committed CLI bundle (no npm install needed).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash packages/dev-tools/ensure-python.sh
exec node dist/cli/index.js flow pr --working-directory examples/demand-forecasting "$@"
