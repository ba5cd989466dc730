import json
import os

import pandas as pd

from forecasting import evaluate, sample
from forecasting.schema import STANDARD_COLUMNS, cells

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECKED_IN = os.path.join(PROJECT, "data", "sample", "shipments.csv")


def test_make_sample_covers_every_cell(standard):
    out = sample.make_sample(standard, weeks=10, products_per_cell=2)
    assert list(out.columns) == list(STANDARD_COLUMNS)
    assert out.groupby(["region", "store_format", "speed"]).ngroups == 56
    assert out["week"].nunique() == 10
    assert out["store_id"].str.fullmatch(r"s-[0-9a-f]{6}").all()
    assert not set(out["store_id"]) & set(standard["store_id"])
    assert sample.obfuscate("ST0001") == sample.obfuscate("ST0001")


def test_sample_cli(standard, tmp_path, capsys):
    full = tmp_path / "full.csv"
    standard.to_csv(full, index=False)
    out = tmp_path / "sample" / "s.csv"
    assert sample.main(["--full", str(full), "--out", str(out),
                        "--weeks", "6"]) == 0
    assert len(pd.read_csv(out)) == 56 * 6
    assert sample.main(["--full", str(tmp_path / "nope.csv")]) == 2


def test_checked_in_sample():
    assert os.path.getsize(CHECKED_IN) <= 400 * 1024
    data = pd.read_csv(CHECKED_IN)
    assert list(data.columns) == list(STANDARD_COLUMNS)
    assert not data.isna().any().any()
    assert not data.duplicated(["store_id", "product_id", "week"]).any()
    found = set(data[["region", "store_format", "speed"]].itertuples(
        index=False, name=None))
    assert found == set(cells())
    assert data["store_id"].str.fullmatch(r"s-[0-9a-f]{6}").all()
    assert 40 <= data["week"].nunique() <= 60


def test_evaluate_cli(standard, tmp_path, capsys):
    full = tmp_path / "full.csv"
    standard.to_csv(full, index=False)
    names = "demand-north-east-large-fast,demand-north-east-large-slow"
    out, js = tmp_path / "r" / "eval.md", tmp_path / "r" / "eval.json"
    assert evaluate.main(["--data", str(full), "--cells", names,
                          "--epochs", "3", "--out", str(out),
                          "--json", str(js)]) == 0
    text = capsys.readouterr().out
    assert "| demand-north-east-large-fast |" in text
    assert "Summary: the ensemble beats the historical average in" in text
    with open(js) as f:
        doc = json.load(f)
    assert doc["summary"]["cells"] == 2
    assert evaluate.main(["--data", str(full), "--cells", "nope"]) == 2
    assert evaluate.main(["--data", str(tmp_path / "missing.csv")]) == 2
