#!/usr/bin/env bash
# The quick-start main command: the whole documented flow (PR -> main -> release
# -> promote) on the example project with the embedded backend, from the
# committed CLI bundle (no npm install needed).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash packages/dev-tools/ensure-python.sh
# The full data the platform trains on is generated, not checked in (~10 s, deterministic).
example=examples/demand-forecasting
if [ ! -f "$example/data/full/shipments.csv" ]; then
  echo "Generating the example's full data (data/full/shipments.csv, about 10 s)…" >&2
  (cd "$example" &&
    /usr/bin/python3 -m forecasting.generate --out data/raw --seed 7 &&
    /usr/bin/python3 -m forecasting.condition --raw data/raw --out data/full/shipments.csv)
fi
exec node dist/cli/index.js flow all --working-directory examples/demand-forecasting "$@"
