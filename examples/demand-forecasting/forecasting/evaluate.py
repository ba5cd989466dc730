"""Full-data evaluation: every cell, holdout = the last weeks of the data.

    python -m forecasting.evaluate --data data/full/shipments.csv \
        [--holdout-weeks 8] [--epochs 40] [--out reports/evaluation.md]

For each (region, store_format, speed) cell: train on all weeks before the
holdout, save the model folder, load it back and score the holdout (the same
path ``forecasting.train`` / ``forecasting.score`` take), then compare with
the historical-average baseline.  Prints a markdown table and a summary.
"""

import argparse
import json
import os
import sys
import tempfile
import time

import numpy as np
import pandas as pd

from .metrics import historical_average, mape, rmse_zero
from .model import CellModel
from .schema import cells, model_name

QUALITY_BAR = 0.45
CLEAR_MARGIN = 0.15  # "beats the baseline" = >= 15 % lower MAPE


def evaluate_cell(train, test, epochs, seed=0):
    """Figures of one cell."""
    started = time.time()
    model, _ = CellModel.fit(train, epochs=epochs, seed=seed)
    fit_seconds = time.time() - started
    with tempfile.TemporaryDirectory() as folder:
        model.save(folder)
        model = CellModel.load(folder)
    score = test.drop(columns=["units"])
    pred = model.predict(score)
    lasso, nn = model.member_predictions(score.reset_index(drop=True))
    base = historical_average(train, score)
    actual = test["units"].values
    return {
        "mape": mape(actual, pred),
        "baseline_mape": mape(actual, base),
        "lasso_mape": mape(actual, lasso),
        "nn_mape": mape(actual, nn),
        "rmse_zero": rmse_zero(actual, pred),
        "baseline_rmse_zero": rmse_zero(actual, base),
        "zero_share": float(np.mean(actual == 0)),
        "rows": int(len(test)),
        "fit_seconds": fit_seconds,
    }


def summarize(results):
    """Summary figures over the evaluated cells."""
    ens = np.array([r["mape"] for r in results])
    base = np.array([r["baseline_mape"] for r in results])
    beats = ens < base
    clear = ens <= (1.0 - CLEAR_MARGIN) * base
    return {
        "cells": len(results),
        "beats_baseline": int(beats.sum()),
        "beats_baseline_by_15pct": int(clear.sum()),
        "median_mape": float(np.median(ens)),
        "median_baseline_mape": float(np.median(base)),
        "meets_quality_bar": int(np.sum(ens <= QUALITY_BAR)),
        "fast_meets_quality_bar": int(np.sum(
            [r["mape"] <= QUALITY_BAR for r in results
             if r["speed"] == "fast"])),
        "slow_meets_quality_bar": int(np.sum(
            [r["mape"] <= QUALITY_BAR for r in results
             if r["speed"] == "slow"])),
    }


def fmt(value, digits=3):
    return "n/a" if value != value else "{:.{}f}".format(value, digits)


def render(results, summary, holdout_weeks, epochs, cutoff):
    lines = [
        "Holdout: the last {} weeks (from {}); trained on all earlier "
        "weeks, {} epochs.".format(holdout_weeks, cutoff, epochs),
        "",
        "| cell | ensemble MAPE | baseline MAPE | lasso (raw) | nn (raw) "
        "| RMSE (actual=0) | baseline RMSE (actual=0) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append("| {} | {} | {} | {} | {} | {} | {} |".format(
            r["model"], fmt(r["mape"]), fmt(r["baseline_mape"]),
            fmt(r["lasso_mape"]), fmt(r["nn_mape"]), fmt(r["rmse_zero"], 2),
            fmt(r["baseline_rmse_zero"], 2)))
    s = summary
    lines += [
        "",
        "Summary: the ensemble beats the historical average in {} of {} "
        "cells ({} by >= 15 % relative); median MAPE {} (ensemble) vs {} "
        "(baseline); {} of {} cells meet MAPE <= {} ({} of the fast-mover "
        "cells, {} of the slow-mover cells).".format(
            s["beats_baseline"], s["cells"], s["beats_baseline_by_15pct"],
            fmt(s["median_mape"]), fmt(s["median_baseline_mape"]),
            s["meets_quality_bar"], s["cells"], QUALITY_BAR,
            s["fast_meets_quality_bar"], s["slow_meets_quality_bar"]),
    ]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="data/full/shipments.csv")
    parser.add_argument("--holdout-weeks", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cells", default="",
                        help="comma-separated model names to evaluate "
                             "(default: all 56)")
    parser.add_argument("--out", default="",
                        help="also write the markdown here")
    parser.add_argument("--json", default="",
                        help="also write per-cell figures as JSON here")
    args = parser.parse_args(argv)
    if not os.path.exists(args.data):
        print("evaluate: error: no such file: {}".format(args.data),
              file=sys.stderr)
        return 2
    data = pd.read_csv(args.data)
    weeks = sorted(data["week"].unique())
    cutoff = weeks[-args.holdout_weeks]
    wanted = set(filter(None, args.cells.split(",")))
    groups = dict(list(data.groupby(["region", "store_format", "speed"])))
    results = []
    started = time.time()
    for cell in cells():
        name = model_name(*cell)
        if (wanted and name not in wanted) or cell not in groups:
            continue
        rows = groups[cell]
        train = rows[rows["week"] < cutoff]
        test = rows[rows["week"] >= cutoff]
        result = evaluate_cell(train, test, args.epochs, args.seed)
        result.update(model=name, region=cell[0], store_format=cell[1],
                      speed=cell[2])
        results.append(result)
        print("{:<40} mape {:.3f} baseline {:.3f} (lasso {:.3f}, nn "
              "{:.3f}) fit {:.1f}s".format(
                  name, result["mape"], result["baseline_mape"],
                  result["lasso_mape"], result["nn_mape"],
                  result["fit_seconds"]), file=sys.stderr)
    if not results:
        print("evaluate: error: no cell to evaluate", file=sys.stderr)
        return 2
    summary = summarize(results)
    text = render(results, summary, args.holdout_weeks, args.epochs, cutoff)
    print(text)
    print("evaluated {} cells in {:.0f}s".format(
        len(results), time.time() - started), file=sys.stderr)
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)),
                    exist_ok=True)
        with open(args.out, "w") as f:
            f.write(text + "\n")
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)),
                    exist_ok=True)
        with open(args.json, "w") as f:
            json.dump({"summary": summary, "cells": results}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
