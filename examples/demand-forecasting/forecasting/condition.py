"""Conditioning: raw source files -> ONE standardized CSV.

    python -m forecasting.condition --raw data/raw --out data/full/shipments.csv

Cleans and joins what ``forecasting.generate`` writes (or a real export in
the same shapes): three shipment feeds with different separators, decimals,
column names and date formats, store and product master data with
inconsistent spelling, returns as negative quantities, weekly weather in
Fahrenheit/inches keyed by week-ending Sunday, holidays and promotion date
ranges.  The output has exactly ``schema.STANDARD_COLUMNS``, no nulls and
unique (store_id, product_id, week) keys, sorted by those keys.
"""

import argparse
import json
import os
import re
import sys
import time

import numpy as np
import pandas as pd

from .schema import KEY_COLUMNS, REGIONS, STANDARD_COLUMNS

MIXED_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%Y%m%d", "%b %d, %Y",
                      "%m/%d/%Y")


class ConditionError(ValueError):
    """Raw data that cannot be conditioned."""


def _number(values):
    """The integer inside messy ids: ' St0012 ', 'st-12', 'P-007' -> 12."""
    digits = pd.Series(values, dtype="object").astype(str).str.extract(
        r"(\d+)", expand=False)
    if digits.isna().any():
        bad = pd.Series(values)[digits.isna()].iloc[0]
        raise ConditionError("id without a number: {!r}".format(bad))
    return digits.astype(int)


def store_key(values):
    """Canonical store id, e.g. ST0012."""
    return _number(values).map("ST{:04d}".format).values


def product_key(values):
    """Canonical product id, e.g. P007."""
    return _number(values).map("P{:03d}".format).values


def slug(values):
    """'  North East', 'NORTH_EAST', 'north-east ' -> 'north-east'."""
    s = pd.Series(values, dtype="object").astype(str).str.strip().str.lower()
    return s.str.replace(r"[\s_\-]+", "-", regex=True).values


def monday(dates):
    """The Monday starting the week of each date (weeks run Mon-Sun)."""
    dates = pd.DatetimeIndex(pd.to_datetime(dates)).normalize()
    return dates - pd.to_timedelta(dates.weekday, unit="D")


def parse_mixed_dates(values, formats=MIXED_DATE_FORMATS):
    """Parse strings that use any of ``formats``; error if one fits none."""
    values = pd.Series(values, dtype="object").astype(str).str.strip()
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for fmt in formats:
        todo = out.isna()
        if not todo.any():
            break
        out[todo] = pd.to_datetime(values[todo], format=fmt, errors="coerce")
    if out.isna().any():
        raise ConditionError("unparseable date: {!r}".format(
            values[out.isna()].iloc[0]))
    return out.values


def euro_float(values):
    """'1.234,5' -> 1234.5"""
    s = pd.Series(values, dtype="object").astype(str).str.strip()
    s = s.str.replace(".", "", regex=False).str.replace(",", ".",
                                                        regex=False)
    return pd.to_numeric(s).values


def _require(frame, columns, name):
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ConditionError("{}: missing column(s) {}".format(
            name, ", ".join(missing)))


def read_erp_a(path):
    """';' CSV: Filiale;Artikel;Lieferdatum(dd.mm.yyyy);Menge(1,0);..."""
    raw = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    _require(raw, ["Filiale", "Artikel", "Lieferdatum", "Menge"], path)
    return pd.DataFrame({
        "store_id": store_key(raw["Filiale"]),
        "product_id": product_key(raw["Artikel"]),
        "week": monday(parse_mixed_dates(raw["Lieferdatum"], ("%d.%m.%Y",))),
        "shipped": np.round(euro_float(raw["Menge"])),
    })


def read_erp_b(path):
    """JSON lines: storeCode, item, shippedOn (mixed formats), quantity."""
    raw = pd.read_json(path, lines=True, dtype=False, convert_dates=False)
    if raw.empty:
        return pd.DataFrame(columns=["store_id", "product_id", "week",
                                     "shipped"])
    _require(raw, ["storeCode", "item", "shippedOn", "quantity"], path)
    return pd.DataFrame({
        "store_id": store_key(raw["storeCode"]),
        "product_id": product_key(raw["item"]),
        "week": monday(parse_mixed_dates(raw["shippedOn"])),
        "shipped": pd.to_numeric(raw["quantity"]).values,
    })


def read_erp_c(path):
    """CSV with upper-case headers, blank units = 0, re-sent duplicates."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    _require(raw, ["STORE_ID", "PRODUCT_CODE", "WEEK_START",
                   "UNITS_SHIPPED"], path)
    raw = raw.drop_duplicates()
    units = raw["UNITS_SHIPPED"].str.strip().replace("", "0")
    return pd.DataFrame({
        "store_id": store_key(raw["STORE_ID"]),
        "product_id": product_key(raw["PRODUCT_CODE"]),
        "week": monday(parse_mixed_dates(raw["WEEK_START"], ("%Y-%m-%d",))),
        "shipped": pd.to_numeric(units).values,
    })


def read_shipments(raw_dir):
    """All shipment feeds summed per (store, product, week)."""
    readers = {
        "shipments_erp_a.csv": read_erp_a,
        "shipments_erp_b.jsonl": read_erp_b,
        "shipments_erp_c.csv": read_erp_c,
    }
    parts = []
    for name, reader in readers.items():
        path = os.path.join(raw_dir, name)
        if os.path.exists(path):
            parts.append(reader(path))
    if not parts:
        raise ConditionError("no shipment files in {}".format(raw_dir))
    ships = pd.concat(parts, ignore_index=True)
    if (ships["shipped"] < 0).any():
        raise ConditionError("negative shipped quantity in a shipment feed")
    return ships.groupby(list(KEY_COLUMNS), as_index=False)["shipped"].sum()


def complete_grid(ships):
    """Add the zero weeks a sparse feed leaves out.

    Every product a store ever received is carried in every week between
    the store's first and last shipment week."""
    span = ships.groupby("store_id")["week"].agg(["min", "max"])
    pairs = ships[["store_id", "product_id"]].drop_duplicates()
    frames = []
    for store_id, (first, last) in span.iterrows():
        weeks = pd.date_range(first, last, freq="7D")
        products = pairs.loc[pairs["store_id"] == store_id, "product_id"]
        grid = pd.MultiIndex.from_product(
            [[store_id], products.values, weeks],
            names=list(KEY_COLUMNS)).to_frame(index=False)
        frames.append(grid)
    grid = pd.concat(frames, ignore_index=True)
    out = grid.merge(ships, on=list(KEY_COLUMNS), how="left")
    out["shipped"] = out["shipped"].fillna(0.0)
    return out


def read_returns(raw_dir):
    """returns.csv: negative quantities dated on the return day."""
    path = os.path.join(raw_dir, "returns.csv")
    cols = list(KEY_COLUMNS) + ["returns"]
    if not os.path.exists(path):
        return pd.DataFrame(columns=cols)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    _require(raw, ["store", "sku", "return_date", "qty"], path)
    out = pd.DataFrame({
        "store_id": store_key(raw["store"]),
        "product_id": product_key(raw["sku"]),
        "week": monday(pd.to_datetime(raw["return_date"].str.strip())),
        "returns": -pd.to_numeric(raw["qty"]).values,
    })
    if (out["returns"] < 0).any():
        raise ConditionError("returns must be negative quantities")
    return out.groupby(list(KEY_COLUMNS), as_index=False)["returns"].sum()


def _share(values):
    """'63.5%' -> 0.635, '0.635' -> 0.635"""
    s = pd.Series(values, dtype="object").astype(str).str.strip()
    pct = s.str.endswith("%")
    num = pd.to_numeric(s.str.rstrip("%").str.replace(",", ".", regex=False))
    return np.where(pct, num / 100.0, num)


def read_stores(raw_dir):
    """stores.csv: messy casing, units and a stale duplicate per store."""
    path = os.path.join(raw_dir, "stores.csv")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw.columns = [c.strip() for c in raw.columns]
    _require(raw, ["Store ID", "Region", "Format", "Median Income",
                   "HH Size", "Urban Share"], path)
    fmt = pd.Series(raw["Format"]).str.strip().str.lower().str[:1]
    out = pd.DataFrame({
        "store_id": store_key(raw["Store ID"]),
        "region": slug(raw["Region"]),
        "store_format": fmt.map({"l": "large", "s": "small"}).values,
        "median_income": pd.to_numeric(
            raw["Median Income"].str.replace(r"[$,\s]", "", regex=True)
        ).values,
        "household_size": pd.to_numeric(
            raw["HH Size"].str.strip().str.replace(",", ".", regex=False)
        ).values,
        "urban_share": _share(raw["Urban Share"]),
    })
    bad = ~out["region"].isin(REGIONS)
    if bad.any():
        raise ConditionError("unknown region {!r}".format(
            out.loc[bad, "region"].iloc[0]))
    if out["store_format"].isna().any():
        raise ConditionError("unknown store format in stores.csv")
    # later rows are the corrected records
    return out.drop_duplicates("store_id", keep="last")


def read_products(raw_dir):
    """products.json: SKU, Category, Velocity ('Fast Mover', 'SLOW', ...)."""
    with open(os.path.join(raw_dir, "products.json")) as f:
        raw = pd.DataFrame(json.load(f))
    _require(raw, ["SKU", "Category", "Velocity"], "products.json")
    velocity = raw["Velocity"].astype(str).str.lower()
    speed = np.where(velocity.str.contains("fast"), "fast",
                     np.where(velocity.str.contains("slow"), "slow", ""))
    if (speed == "").any():
        raise ConditionError("unknown velocity in products.json")
    out = pd.DataFrame({
        "product_id": product_key(raw["SKU"]),
        "category": slug(raw["Category"]),
        "speed": speed,
    })
    return out.drop_duplicates("product_id", keep="last")


def read_weather(raw_dir):
    """weather.csv: Fahrenheit, inches, week-ending Sundays, some gaps."""
    path = os.path.join(raw_dir, "weather.csv")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    _require(raw, ["REGION", "WEEK_ENDING", "TEMP_F", "PRECIP_IN"], path)
    out = pd.DataFrame({
        "region": slug(raw["REGION"]),
        "week": monday(parse_mixed_dates(raw["WEEK_ENDING"], ("%m/%d/%Y",))),
        "temperature": (pd.to_numeric(raw["TEMP_F"].replace("", np.nan))
                        - 32.0) * 5.0 / 9.0,
        "precipitation": pd.to_numeric(
            raw["PRECIP_IN"].replace("", np.nan)) * 25.4,
    })
    out = out.groupby(["region", "week"], as_index=False).mean()
    out = out.sort_values(["region", "week"])
    for col in ("temperature", "precipitation"):
        out[col] = out.groupby("region")[col].transform(
            lambda s: s.interpolate(limit_direction="both"))
    return out.reset_index(drop=True)


def read_holidays(raw_dir):
    """holidays.csv -> (region, week) pairs with a holiday."""
    raw = pd.read_csv(os.path.join(raw_dir, "holidays.csv"), dtype=str,
                      keep_default_na=False)
    _require(raw, ["date", "scope"], "holidays.csv")
    weeks = monday(parse_mixed_dates(raw["date"]))
    scope = slug(raw["scope"])
    rows = []
    for week, where in zip(weeks, scope):
        regions = REGIONS if where == "all" else [where]
        rows += [(r, week) for r in regions]
    out = pd.DataFrame(rows, columns=["region", "week"]).drop_duplicates()
    out["holiday"] = 1
    return out


def read_promotions(raw_dir):
    """promotions.csv date ranges -> (product, region, week) flags."""
    raw = pd.read_csv(os.path.join(raw_dir, "promotions.csv"), dtype=str,
                      keep_default_na=False)
    _require(raw, ["sku", "region", "start_date", "end_date"],
             "promotions.csv")
    first = monday(parse_mixed_dates(raw["start_date"]))
    last = monday(parse_mixed_dates(raw["end_date"]))
    n = ((last - first).days // 7 + 1).values
    if (n < 1).any():
        raise ConditionError("promotion ends before it starts")
    idx = np.repeat(np.arange(len(raw)), n)
    step = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    out = pd.DataFrame({
        "product_id": product_key(raw["sku"])[idx],
        "region": slug(raw["region"])[idx],
        "week": first[idx] + pd.to_timedelta(7 * step, unit="D"),
    }).drop_duplicates()
    out["promotion"] = 1
    return out


def condition(raw_dir):
    """Read every raw file under ``raw_dir``; return the standard frame."""
    ships = complete_grid(read_shipments(raw_dir))
    stores = read_stores(raw_dir)
    products = read_products(raw_dir)
    unknown = set(ships["store_id"]) - set(stores["store_id"])
    if unknown:
        print("condition: dropping {} store(s) missing from stores.csv: {}"
              .format(len(unknown), ", ".join(sorted(unknown))),
              file=sys.stderr)
    df = ships.merge(stores, on="store_id", how="inner")
    df = df.merge(products, on="product_id", how="inner")
    df = df.merge(read_returns(raw_dir), on=list(KEY_COLUMNS), how="left")
    df["returns"] = df["returns"].fillna(0).astype(int)
    df["units"] = np.clip(df["shipped"] - df["returns"], 0, None).astype(int)

    weather = read_weather(raw_dir)
    df = df.merge(weather, on=["region", "week"], how="left")
    for col in ("temperature", "precipitation"):
        # weeks outside the weather feed: the region's average
        fill = df.groupby("region")[col].transform("mean")
        df[col] = df[col].fillna(fill).fillna(0.0).round(1)
    df = df.merge(read_holidays(raw_dir), on=["region", "week"], how="left")
    df = df.merge(read_promotions(raw_dir),
                  on=["product_id", "region", "week"], how="left")
    for col in ("holiday", "promotion"):
        df[col] = df[col].fillna(0).astype(int)
    df["median_income"] = df["median_income"].round(0).astype(int)
    df["household_size"] = df["household_size"].round(2)
    df["urban_share"] = df["urban_share"].round(3)
    df["week"] = pd.DatetimeIndex(df["week"]).strftime("%Y-%m-%d")
    df = df.sort_values(list(KEY_COLUMNS)).reset_index(drop=True)
    df = df[list(STANDARD_COLUMNS)]
    validate(df)
    return df


def validate(df):
    """The standardized-CSV contract; raise ConditionError if broken."""
    if list(df.columns) != list(STANDARD_COLUMNS):
        raise ConditionError("columns differ from the standard schema")
    if df.isna().any().any():
        raise ConditionError("nulls in the standardized data")
    if df.duplicated(list(KEY_COLUMNS)).any():
        raise ConditionError("duplicate (store_id, product_id, week) keys")
    if (df["units"] < 0).any():
        raise ConditionError("negative units")
    if not df["region"].isin(REGIONS).all():
        raise ConditionError("unknown region")
    weeks = pd.to_datetime(df["week"], format="%Y-%m-%d")
    if (weeks.dt.weekday != 0).any():
        raise ConditionError("week is not a Monday")
    if not re.fullmatch(r"[a-z\-]+", "".join(df["region"].unique())):
        raise ConditionError("region names must be lowercase slugs")


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Condition raw sources into one standardized CSV.")
    parser.add_argument("--raw", default="data/raw")
    parser.add_argument("--out", default="data/full/shipments.csv")
    args = parser.parse_args(argv)
    started = time.time()
    try:
        df = condition(args.raw)
    except (ConditionError, OSError, ValueError, KeyError) as exc:
        print("condition: error: {}".format(exc), file=sys.stderr)
        return 2
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    df.to_csv(args.out, index=False)
    print("wrote {} rows ({} stores, {} products, {} weeks) to {} in "
          "{:.1f}s".format(len(df), df["store_id"].nunique(),
                           df["product_id"].nunique(), df["week"].nunique(),
                           args.out, time.time() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
