"""train / score through the env-var contract, as the MLOps tool runs them."""

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from forecasting import score, train

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV_KEYS = ("MLOPS_LOCAL", "MLOPS_STAGE", "MLOPS_EPOCHS", "MLOPS_MODEL_NAME",
            "MLOPS_PARAM_REGION", "MLOPS_PARAM_STORE_FORMAT",
            "MLOPS_PARAM_SPEED", "MLOPS_DATA_DIR", "MLOPS_OUTPUT_DIR",
            "MLOPS_MODEL_DIR")


@pytest.fixture
def run(tmp_path, split, monkeypatch):
    """Folders laid out like the tool's, plus a helper to set the env."""
    train_rows, test_rows = split
    dirs = {name: tmp_path / name for name in
            ("train_data", "train_out", "score_data", "score_out")}
    for d in dirs.values():
        d.mkdir()
    train_rows.to_csv(dirs["train_data"] / "train.csv", index=False)
    test_rows.drop(columns=["units"]).to_csv(
        dirs["score_data"] / "score.csv", index=False)
    for key in ENV_KEYS:
        monkeypatch.delenv(key, raising=False)

    def set_env(stage, **extra):
        common = {"MLOPS_LOCAL": "1", "MLOPS_STAGE": "pr",
                  "MLOPS_EPOCHS": "5",
                  "MLOPS_MODEL_NAME": "demand-north-east-large-fast",
                  "MLOPS_PARAM_REGION": "north-east",
                  "MLOPS_PARAM_STORE_FORMAT": "large",
                  "MLOPS_PARAM_SPEED": "fast"}
        if stage == "train":
            common.update(MLOPS_DATA_DIR=str(dirs["train_data"]),
                          MLOPS_OUTPUT_DIR=str(dirs["train_out"]))
        else:
            common.update(MLOPS_DATA_DIR=str(dirs["score_data"]),
                          MLOPS_OUTPUT_DIR=str(dirs["score_out"]),
                          MLOPS_MODEL_DIR=str(dirs["train_out"] / "model"))
        common.update(extra)
        for key, value in common.items():
            if value is None:
                monkeypatch.delenv(key, raising=False)
            else:
                monkeypatch.setenv(key, value)

    dirs["set_env"] = set_env
    dirs["test_rows"] = test_rows
    return dirs


def test_train_then_score(run, capsys):
    run["set_env"]("train")
    assert train.main() == 0
    assert "local mode" in capsys.readouterr().out
    model_dir = run["train_out"] / "model"
    assert (model_dir / "model.json").is_file()
    with open(run["train_out"] / "metrics.json") as f:
        stats = json.load(f)
    assert stats and all(isinstance(v, float) and np.isfinite(v)
                         for v in stats.values())

    run["set_env"]("score")
    assert score.main() == 0
    pred = pd.read_csv(run["score_out"] / "predictions.csv")
    expected = run["test_rows"]
    assert list(pred.columns) == ["store_id", "product_id", "week",
                                  "prediction"]
    assert len(pred) == len(expected)
    assert list(pred["store_id"]) == list(expected["store_id"])
    assert list(pred["week"]) == list(expected["week"])
    assert (pred["prediction"] >= 0).all()


def test_subprocess_entry_points(run):
    """python -m forecasting.train / .score with cwd = project folder."""
    run["set_env"]("train")
    done = subprocess.run([sys.executable, "-m", "forecasting.train"],
                          cwd=PROJECT, env=dict(os.environ),
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    run["set_env"]("score")
    done = subprocess.run([sys.executable, "-m", "forecasting.score"],
                          cwd=PROJECT, env=dict(os.environ),
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (run["score_out"] / "predictions.csv").is_file()


def _error(capsys):
    err = capsys.readouterr().err.strip()
    assert err and "\n" not in err
    return err


@pytest.mark.parametrize("missing", ["MLOPS_DATA_DIR", "MLOPS_OUTPUT_DIR"])
def test_train_missing_env(run, capsys, missing):
    run["set_env"]("train", **{missing: None})
    assert train.main() == 2
    assert missing in _error(capsys)


def test_train_bad_epochs(run, capsys):
    run["set_env"]("train", MLOPS_EPOCHS="many")
    assert train.main() == 2
    assert "MLOPS_EPOCHS" in _error(capsys)
    run["set_env"]("train", MLOPS_EPOCHS="0")
    assert train.main() == 2


def test_train_missing_file_and_column(run, capsys):
    path = run["train_data"] / "train.csv"
    rows = pd.read_csv(path)
    path.unlink()
    run["set_env"]("train")
    assert train.main() == 2
    assert "train.csv" in _error(capsys)
    rows.drop(columns=["promotion"]).to_csv(path, index=False)
    assert train.main() == 2
    assert "promotion" in _error(capsys)
    rows.iloc[:0].to_csv(path, index=False)
    assert train.main() == 2
    assert "no rows" in _error(capsys)
    bad = rows.copy()
    bad.loc[0, "units"] = -1
    bad.to_csv(path, index=False)
    assert train.main() == 2
    assert ">= 0" in _error(capsys)
    bad = rows.copy()
    bad.loc[0, "week"] = "03/01/2024"
    bad.to_csv(path, index=False)
    assert train.main() == 2
    assert "YYYY-MM-DD" in _error(capsys)
    bad = rows.copy()
    bad["temperature"] = bad["temperature"].astype(object)
    bad.loc[0, "temperature"] = "warm"
    bad.to_csv(path, index=False)
    assert train.main() == 2
    assert "temperature" in _error(capsys)
    pd.concat([rows, rows.head(1)]).to_csv(path, index=False)
    assert train.main() == 2
    assert "duplicate" in _error(capsys)


def test_train_warns_about_other_cells(run, capsys):
    run["set_env"]("train", MLOPS_PARAM_REGION="deep-south")
    assert train.main() == 0
    assert "MLOPS_PARAM_REGION=deep-south" in capsys.readouterr().err


def test_score_errors(run, capsys):
    run["set_env"]("score")
    assert score.main() == 2  # model folder does not exist yet
    assert "MLOPS_MODEL_DIR" in _error(capsys)
    (run["train_out"] / "model").mkdir()
    assert score.main() == 2
    assert "model.json" in _error(capsys)
    run["set_env"]("score", MLOPS_MODEL_DIR=None)
    assert score.main() == 2
    assert "MLOPS_MODEL_DIR" in _error(capsys)


def test_score_missing_column_and_extra_units(run, capsys):
    run["set_env"]("train")
    assert train.main() == 0
    capsys.readouterr()
    run["set_env"]("score")
    path = run["score_data"] / "score.csv"
    rows = pd.read_csv(path)
    rows.drop(columns=["holiday"]).to_csv(path, index=False)
    assert score.main() == 2
    assert "holiday" in _error(capsys)
    rows.assign(units=1).to_csv(path, index=False)
    assert score.main() == 0
    assert "ignored" in capsys.readouterr().err
    rows.to_csv(path, index=False)
    with open(run["train_out"] / "model" / "model.json", "w") as f:
        f.write("{}")
    assert score.main() == 2
    assert "cannot load model" in _error(capsys)
