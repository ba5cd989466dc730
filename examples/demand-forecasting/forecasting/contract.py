"""The run contract with the MLOps tool: environment variables and files.

The tool runs ``python -m forecasting.train`` / ``python -m
forecasting.score`` with cwd = the project folder and:

MLOPS_DATA_DIR    folder with train.csv (train) or score.csv (score)
MLOPS_OUTPUT_DIR  folder to write model/ + metrics.json, or predictions.csv
MLOPS_MODEL_DIR   (score only) the model/ folder train wrote
MLOPS_EPOCHS      network epochs (default 40)
MLOPS_LOCAL       "1" when running locally
MLOPS_STAGE, MLOPS_MODEL_NAME, MLOPS_PARAM_<KEY>  recorded and checked

Bad input ends the process with exit code 2 and one line on stderr.
"""

import math
import os
import sys

import numpy as np
import pandas as pd

EXIT_BAD_INPUT = 2
DEFAULT_EPOCHS = 40
# matrix keys the tool passes as MLOPS_PARAM_<KEY> -> standardized column
PARAM_COLUMNS = {
    "REGION": "region",
    "STORE_FORMAT": "store_format",
    "SPEED": "speed",
}
TEXT_COLUMNS = ("store_id", "product_id", "week", "region", "store_format",
                "speed", "category")


class ContractError(Exception):
    """Input that breaks the run contract."""


def log(prog, message):
    print("[{}] {}".format(prog, message), flush=True)


def warn(prog, message):
    print("[{}] warning: {}".format(prog, message), file=sys.stderr,
          flush=True)


def env(name, required=True, default=None):
    value = os.environ.get(name, "").strip()
    if not value:
        if required:
            raise ContractError("{} is not set".format(name))
        return default
    return value


def env_dir(name, must_exist=True):
    path = env(name)
    if must_exist and not os.path.isdir(path):
        raise ContractError("{}={} is not a folder".format(name, path))
    return path


def epochs():
    raw = env("MLOPS_EPOCHS", required=False, default=str(DEFAULT_EPOCHS))
    try:
        value = int(raw)
    except ValueError:
        raise ContractError(
            "MLOPS_EPOCHS={!r} is not an integer".format(raw)) from None
    if value < 1:
        raise ContractError("MLOPS_EPOCHS must be >= 1, got {}".format(value))
    return value


def run_info():
    """What the tool told us about this run (all optional)."""
    info = {
        "local": os.environ.get("MLOPS_LOCAL", "") == "1",
        "stage": env("MLOPS_STAGE", required=False, default=""),
        "model_name": env("MLOPS_MODEL_NAME", required=False, default=""),
        "params": {},
    }
    for key in PARAM_COLUMNS:
        value = env("MLOPS_PARAM_" + key, required=False)
        if value is not None:
            info["params"][key.lower()] = value
    return info


def read_table(path, required, numeric, name):
    """Read a standardized CSV; check columns, emptiness and numbers."""
    if not os.path.isfile(path):
        raise ContractError("missing file: {}".format(path))
    try:
        frame = pd.read_csv(path, dtype={c: str for c in TEXT_COLUMNS},
                            keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError,
            UnicodeDecodeError) as exc:
        raise ContractError("cannot read {}: {}".format(
            name, str(exc).splitlines()[0])) from None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ContractError("{}: missing column(s): {}".format(
            name, ", ".join(missing)))
    for col in required:
        if frame[col].isna().any():
            raise ContractError("{}: column {} has empty values".format(
                name, col))
    for col in numeric:
        values = pd.to_numeric(frame[col], errors="coerce")
        if values.isna().any() or not np.isfinite(values).all():
            raise ContractError("{}: column {} must be finite numbers"
                                .format(name, col))
        frame[col] = values
    weeks = pd.to_datetime(frame["week"], format="%Y-%m-%d", errors="coerce")
    if weeks.isna().any():
        raise ContractError("{}: week must be YYYY-MM-DD, got {!r}".format(
            name, frame.loc[weeks.isna(), "week"].iloc[0]))
    return frame


def check_params(prog, frame, info):
    """The tool selects the rows; warn if they disagree with the params."""
    for key, col in PARAM_COLUMNS.items():
        expected = info["params"].get(key.lower())
        if expected is None or col not in frame.columns:
            continue
        found = sorted(set(frame[col].astype(str)) - {expected})
        if found:
            warn(prog, "MLOPS_PARAM_{}={} but the data also has {}={}"
                 .format(key, expected, col, ",".join(found[:5])))


def finite_dict(values):
    """Keep only finite numbers (metrics.json must be finite)."""
    return {k: float(v) for k, v in values.items()
            if isinstance(v, (int, float)) and math.isfinite(v)}


def main_wrapper(prog, body):
    """Run ``body()``; turn contract errors into exit 2 + one stderr line."""
    try:
        return body()
    except ContractError as exc:
        message = str(exc).replace("\n", " ")
        print("{}: error: {}".format(prog, message), file=sys.stderr)
        return EXIT_BAD_INPUT
