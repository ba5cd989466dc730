"""Train one cell's ensemble: python -m forecasting.train

Reads $MLOPS_DATA_DIR/train.csv (the rows of one cell, selected and split
by the MLOps tool), writes $MLOPS_OUTPUT_DIR/model/ and
$MLOPS_OUTPUT_DIR/metrics.json.  See forecasting.contract.
"""

import json
import os
import sys
import time

from . import contract
from .features import INPUT_COLUMNS
from .model import CellModel

PROG = "forecasting.train"
NUMERIC = ("units", "holiday", "promotion", "temperature", "precipitation",
           "median_income", "household_size", "urban_share")
SEED = 0


def train():
    data_dir = contract.env_dir("MLOPS_DATA_DIR")
    output_dir = contract.env("MLOPS_OUTPUT_DIR")
    epochs = contract.epochs()
    info = contract.run_info()
    if info["local"]:
        contract.log(PROG, "local mode (MLOPS_LOCAL=1): no cloud calls")
    frame = contract.read_table(os.path.join(data_dir, "train.csv"),
                                list(INPUT_COLUMNS) + ["units"], NUMERIC,
                                "train.csv")
    if frame.empty:
        raise contract.ContractError("train.csv has no rows")
    if (frame["units"] < 0).any():
        raise contract.ContractError("train.csv: units must be >= 0")
    if frame.duplicated(["store_id", "product_id", "week"]).any():
        raise contract.ContractError(
            "train.csv: duplicate (store_id, product_id, week) rows")
    contract.check_params(PROG, frame, info)
    contract.log(PROG, "model {} stage {} params {}: {} rows, {} series, "
                 "weeks {}..{}, {} epochs".format(
                     info["model_name"] or "-", info["stage"] or "-",
                     info["params"] or "-", len(frame),
                     len(frame.groupby(["store_id", "product_id"])),
                     frame["week"].min(), frame["week"].max(), epochs))
    started = time.time()
    meta = {"model_name": info["model_name"], "stage": info["stage"],
            "params": info["params"]}
    model, metrics = CellModel.fit(frame, epochs=epochs, seed=SEED,
                                   meta=meta)
    model_dir = os.path.join(output_dir, "model")
    model.save(model_dir)
    with open(os.path.join(output_dir, "metrics.json"), "w") as f:
        json.dump(contract.finite_dict(metrics), f, indent=1,
                  allow_nan=False)
        f.write("\n")
    contract.log(PROG, "wrote {} in {:.2f}s (nn loss {:.4f} -> {:.4f}, "
                 "train MAPE {:.3f})".format(
                     model_dir, time.time() - started,
                     metrics["nn_loss_initial"], metrics["nn_loss_final"],
                     metrics["train_mape"]))
    return 0


def main():
    return contract.main_wrapper(PROG, train)


if __name__ == "__main__":
    sys.exit(main())
