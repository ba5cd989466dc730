import os
import shutil

import numpy as np
import pandas as pd
import pytest

from forecasting import condition as cond
from forecasting.schema import KEY_COLUMNS, REGIONS, STANDARD_COLUMNS


def test_standard_schema(standard):
    assert list(standard.columns) == list(STANDARD_COLUMNS)
    assert not standard.isna().any().any()
    assert not standard.duplicated(list(KEY_COLUMNS)).any()
    assert set(standard["region"]) == set(REGIONS)
    assert set(standard["store_format"]) == {"large", "small"}
    assert set(standard["speed"]) == {"slow", "fast"}
    assert set(standard["holiday"]) <= {0, 1}
    assert set(standard["promotion"]) <= {0, 1}
    assert standard["units"].dtype.kind == "i"
    assert (standard["units"] >= 0).all()
    weeks = pd.to_datetime(standard["week"], format="%Y-%m-%d")
    assert (weeks.dt.weekday == 0).all()
    assert standard["store_id"].str.fullmatch(r"ST\d{4}").all()


def test_every_series_has_every_week(standard):
    """The sparse JSON feed leaves zero weeks out; they are filled in."""
    weeks = standard["week"].nunique()
    sizes = standard.groupby(["store_id", "product_id"]).size()
    assert (sizes == weeks).all()
    assert (standard["units"] == 0).any()


def test_units_are_shipped_minus_returns(raw_dir, standard):
    ships = cond.read_shipments(str(raw_dir))
    returns = cond.read_returns(str(raw_dir))
    assert standard["returns"].sum() == returns["returns"].sum()
    net = ships["shipped"].sum() - returns["returns"].sum()
    assert standard["units"].sum() == net


def test_stale_store_record_is_replaced(raw_dir):
    stores = cond.read_stores(str(raw_dir))
    assert stores["store_id"].is_unique
    assert (stores["median_income"] > 1000).all()
    assert stores["urban_share"].between(0, 1).all()


def test_weather_is_metric_and_complete(raw_dir):
    weather = cond.read_weather(str(raw_dir))
    assert not weather.isna().any().any()
    assert weather["temperature"].between(-40, 50).all()
    mondays = pd.DatetimeIndex(weather["week"]).weekday
    assert (mondays == 0).all()


def test_promotion_ranges_expand_to_weeks(tmp_path):
    pd.DataFrame({"promo_id": ["A"], "sku": ["p-7"],
                  "region": ["NORTH-EAST"], "start_date": ["2024-01-03"],
                  "end_date": ["2024-01-16"]}).to_csv(
        tmp_path / "promotions.csv", index=False)
    out = cond.read_promotions(str(tmp_path))
    assert list(out["product_id"]) == ["P007"] * 3
    assert list(pd.DatetimeIndex(out["week"]).strftime("%Y-%m-%d")) == [
        "2024-01-01", "2024-01-08", "2024-01-15"]


def test_id_and_text_helpers():
    assert list(cond.store_key([" St0012 ", "st-12", "ST-0012"])) == [
        "ST0012"] * 3
    assert list(cond.product_key(["p-7", "P007", "P-007"])) == ["P007"] * 3
    assert list(cond.slug([" North East", "NORTH_EAST", "north-east "])) == [
        "north-east"] * 3
    assert list(cond.euro_float(["1.234,5", "0,0"])) == [1234.5, 0.0]
    assert list(cond._share(["63.5%", "0.635"])) == [0.635, 0.635]
    with pytest.raises(cond.ConditionError):
        cond.store_key(["no digits"])


def test_mixed_dates():
    parsed = cond.parse_mixed_dates(
        ["2024-01-04", "04.01.2024", "20240104", "Jan 04, 2024"])
    assert len(set(parsed)) == 1
    weeks = cond.monday(parsed)
    assert weeks[0] == pd.Timestamp("2024-01-01")
    with pytest.raises(cond.ConditionError):
        cond.parse_mixed_dates(["yesterday"])


def test_validate_catches_broken_frames(standard):
    bad = pd.concat([standard.head(3), standard.head(1)])
    with pytest.raises(cond.ConditionError, match="duplicate"):
        cond.validate(bad)
    nulls = standard.head(3).copy()
    nulls.loc[0, "temperature"] = np.nan
    with pytest.raises(cond.ConditionError, match="nulls"):
        cond.validate(nulls)
    with pytest.raises(cond.ConditionError, match="columns"):
        cond.validate(standard.head(3).drop(columns=["returns"]))


def test_missing_column_is_reported(raw_dir, tmp_path):
    for name in os.listdir(raw_dir):
        shutil.copy(os.path.join(raw_dir, name), tmp_path / name)
    stores = pd.read_csv(tmp_path / "stores.csv", dtype=str)
    stores.drop(columns=["Format"]).to_csv(tmp_path / "stores.csv",
                                           index=False)
    with pytest.raises(cond.ConditionError, match="Format"):
        cond.condition(str(tmp_path))


def test_cli(raw_dir, tmp_path, capsys):
    out = tmp_path / "full" / "shipments.csv"
    assert cond.main(["--raw", str(raw_dir), "--out", str(out)]) == 0
    written = pd.read_csv(out)
    assert list(written.columns) == list(STANDARD_COLUMNS)
    assert "wrote" in capsys.readouterr().out
    assert cond.main(["--raw", str(tmp_path / "nope"), "--out",
                      str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("condition: error:") and "\n" not in err
