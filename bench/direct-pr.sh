#!/usr/bin/env bash
# The PR stage's own commands without the suite, for the overhead benchmark:
# flake8, pytest with coverage, then train and score of every model on the
# per-model data the suite prepared (.mlops/validate/pr/<model>/data), with the
# same parallelism. Usage: direct-pr.sh <project> <parallel>
set -euo pipefail
project=$1
parallel=$2
cd "$project"
py=/usr/bin/python3
$py -m flake8 --max-line-length 80 forecasting tests >/dev/null
$py -m pytest -q -p no:cacheprovider --junitxml=/tmp/direct-junit.xml --cov=forecasting --cov-report=xml:/tmp/direct-coverage.xml >/dev/null
work=$(mktemp -d)
one_model() {
  local model=$1 dir=.mlops/validate/pr/$1
  # demand-<region>-<store_format>-<speed>; regions contain dashes.
  local cell=${model#demand-}
  export MLOPS_PARAM_SPEED=${cell##*-}
  cell=${cell%-*}
  export MLOPS_PARAM_STORE_FORMAT=${cell##*-} MLOPS_PARAM_REGION=${cell%-*}
  mkdir -p "$work/$model/train" "$work/$model/score"
  MLOPS_LOCAL=1 MLOPS_STAGE=pr MLOPS_EPOCHS=5 MLOPS_MODEL_NAME=$model MLOPS_DATA_DIR=$dir/data \
    MLOPS_OUTPUT_DIR=$work/$model/train $py -m forecasting.train >/dev/null
  MLOPS_LOCAL=1 MLOPS_STAGE=pr MLOPS_EPOCHS=5 MLOPS_MODEL_NAME=$model MLOPS_DATA_DIR=$dir/data \
    MLOPS_OUTPUT_DIR=$work/$model/score MLOPS_MODEL_DIR=$work/$model/train/model $py -m forecasting.score >/dev/null
}
export -f one_model
export work py
ls .mlops/validate/pr | grep -v metrics.json | xargs -P "$parallel" -I{} bash -c 'one_model {}'
rm -rf "$work"
