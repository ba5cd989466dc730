"""Score one cell: python -m forecasting.score

Reads $MLOPS_DATA_DIR/score.csv (standardized columns without units) and
the model in $MLOPS_MODEL_DIR; writes $MLOPS_OUTPUT_DIR/predictions.csv
with store_id, product_id, week, prediction -- one row per score.csv row,
in the same order.  See forecasting.contract.
"""

import os
import sys
import time

import pandas as pd

from . import contract
from .features import INPUT_COLUMNS
from .model import MODEL_FILE, CellModel

PROG = "forecasting.score"
NUMERIC = ("holiday", "promotion", "temperature", "precipitation",
           "median_income", "household_size", "urban_share")


def score():
    data_dir = contract.env_dir("MLOPS_DATA_DIR")
    output_dir = contract.env("MLOPS_OUTPUT_DIR")
    model_dir = contract.env_dir("MLOPS_MODEL_DIR")
    info = contract.run_info()
    if info["local"]:
        contract.log(PROG, "local mode (MLOPS_LOCAL=1): no cloud calls")
    if not os.path.isfile(os.path.join(model_dir, MODEL_FILE)):
        raise contract.ContractError("no {} in MLOPS_MODEL_DIR={}".format(
            MODEL_FILE, model_dir))
    frame = contract.read_table(os.path.join(data_dir, "score.csv"),
                                INPUT_COLUMNS, NUMERIC, "score.csv")
    if "units" in frame.columns:
        contract.warn(PROG, "score.csv has a units column; it is ignored")
        frame = frame.drop(columns=["units"])
    contract.check_params(PROG, frame, info)
    started = time.time()
    try:
        model = CellModel.load(model_dir)
    except (OSError, ValueError, KeyError) as exc:
        raise contract.ContractError("cannot load model from {}: {}".format(
            model_dir, exc)) from None
    predictions = pd.DataFrame({
        "store_id": frame["store_id"].values,
        "product_id": frame["product_id"].values,
        "week": frame["week"].values,
        "prediction": model.predict(frame).round(4),
    })
    os.makedirs(output_dir, exist_ok=True)
    path = os.path.join(output_dir, "predictions.csv")
    predictions.to_csv(path, index=False)
    known = set(model.history.series)
    unseen = sum(1 for k in set(frame["store_id"] + "|" + frame["product_id"])
                 if k not in known)
    contract.log(PROG, "model {} stage {}: wrote {} predictions to {} in "
                 "{:.2f}s ({} series unseen in training)".format(
                     info["model_name"] or model.meta.get("model_name", "-"),
                     info["stage"] or "-", len(predictions), path,
                     time.time() - started, unseen))
    return 0


def main():
    return contract.main_wrapper(PROG, score)


if __name__ == "__main__":
    sys.exit(main())
