import filecmp
import json
import os

import pandas as pd
import pytest

from forecasting import generate as gen
from tests.conftest import TINY

FILES = ["holidays.csv", "products.json", "promotions.csv", "returns.csv",
         "shipments_erp_a.csv", "shipments_erp_b.jsonl",
         "shipments_erp_c.csv", "stores.csv", "weather.csv"]


def test_writes_every_raw_file(raw_dir):
    assert sorted(os.listdir(raw_dir)) == FILES


def test_same_seed_same_bytes(raw_dir, tmp_path):
    gen.generate(str(tmp_path), **TINY)
    for name in FILES:
        assert filecmp.cmp(os.path.join(raw_dir, name),
                           os.path.join(tmp_path, name), shallow=False), name


def test_other_seed_other_data(raw_dir, tmp_path):
    other = dict(TINY, seed=TINY["seed"] + 1)
    gen.generate(str(tmp_path), **other)
    name = "shipments_erp_c.csv"
    assert not filecmp.cmp(os.path.join(raw_dir, name),
                           os.path.join(tmp_path, name), shallow=False)


def test_raw_formats_are_messy(raw_dir):
    with open(os.path.join(raw_dir, "shipments_erp_a.csv")) as f:
        header, first = f.readline(), f.readline()
    assert header.startswith("Filiale;Artikel;Lieferdatum")
    assert "," in first.split(";")[3]  # decimal comma
    with open(os.path.join(raw_dir, "shipments_erp_b.jsonl")) as f:
        record = json.loads(f.readline())
    assert set(record) == {"storeCode", "item", "shippedOn", "quantity"}
    returns = pd.read_csv(os.path.join(raw_dir, "returns.csv"))
    assert (returns["qty"] < 0).all()
    stores = pd.read_csv(os.path.join(raw_dir, "stores.csv"), dtype=str)
    assert stores["Region"].nunique() > 14  # inconsistent spelling


def test_rejects_a_start_that_is_not_a_monday(tmp_path):
    with pytest.raises(ValueError):
        gen.generate(str(tmp_path), first_week="2024-01-03",
                     last_week="2024-03-04")


def test_cli(tmp_path, capsys):
    code = gen.main(["--out", str(tmp_path), "--seed", "1",
                     "--stores-per-cell", "1", "--products-per-speed", "1",
                     "--first-week", "2024-01-01",
                     "--last-week", "2024-03-25"])
    assert code == 0
    assert sorted(os.listdir(tmp_path)) == FILES
    assert "wrote 9 files" in capsys.readouterr().out


def test_label_helpers():
    assert gen.region_label("north-east", 0) == "North East"
    assert gen.region_label("north-east", 2) == "north_east"
    assert gen.store_label(12, 1) == "st-12"
    assert gen.euro_number([1234.5], 2) == ["1.234,50"]
