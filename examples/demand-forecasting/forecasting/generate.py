"""Deterministic generator of RAW weekly shipment data in messy formats.

    python -m forecasting.generate --out data/raw [--seed 7]

The world: stores in 14 sales regions (large and small formats, with
shopper demographics), slow- and fast-moving products in six categories,
weekly weather per region, holidays, regional promotions, product returns,
trend, yearly seasonality and zero-demand weeks.  It is written the way three
different source systems would deliver it (see ``SOURCES``), plus master
data and event files, so that ``forecasting.condition`` has real cleaning to
do.  Same seed and arguments -> byte-identical files.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import pandas as pd
from dateutil.easter import easter

from .schema import CATEGORIES, FIRST_WEEK, LAST_WEEK, REGIONS

# region -> (mean temperature C, seasonal amplitude C, weekly rain mm)
CLIMATE = {
    "north-east": (10.0, 12.0, 25.0),
    "north-west": (11.0, 8.0, 35.0),
    "south-east": (19.0, 8.0, 30.0),
    "south-west": (21.0, 9.0, 6.0),
    "mid-atlantic": (13.0, 11.0, 24.0),
    "great-lakes": (9.0, 13.0, 20.0),
    "central-plains": (12.0, 14.0, 16.0),
    "gulf-coast": (21.0, 7.0, 33.0),
    "mountain-west": (8.0, 12.0, 10.0),
    "pacific-coast": (16.0, 4.0, 12.0),
    "new-england": (8.0, 13.0, 25.0),
    "ohio-valley": (12.0, 12.0, 23.0),
    "deep-south": (18.0, 9.0, 30.0),
    "high-desert": (14.0, 11.0, 5.0),
}

# category -> (seasonal amplitude, peak day of year, holiday lift,
#              demand change per C of temperature anomaly,
#              income elasticity, household-size elasticity)
CATEGORY_EFFECTS = {
    "beverages": (0.30, 200, 1.35, 0.030, 0.0, 0.10),
    "snacks": (0.15, 340, 1.45, 0.000, -0.2, 0.20),
    "dairy": (0.08, 20, 1.15, 0.000, 0.1, 0.40),
    "frozen": (0.25, 210, 1.20, 0.025, -0.1, 0.30),
    "household": (0.10, 90, 0.95, 0.000, 0.2, 0.40),
    "personal-care": (0.08, 150, 1.00, 0.000, 0.5, 0.10),
}

# Which source system delivers the shipments of which regions.
SOURCES = {
    "erp_a": REGIONS[0:5],    # ';' CSV, European decimals, dd.mm.yyyy
    "erp_b": REGIONS[5:10],   # JSON lines, other names, mixed dates, sparse
    "erp_c": REGIONS[10:14],  # ',' CSV, upper-case headers, duplicates
}

# Base weekly units of an average product in an average store.
BASE_UNITS = {
    ("fast", "large"): 40.0,
    ("fast", "small"): 18.0,
    ("slow", "large"): 3.2,
    ("slow", "small"): 1.6,
}
# Gamma-Poisson shape (smaller = noisier) and share of weeks with no order.
NOISE_SHAPE = {"fast": 20.0, "slow": 3.0}
ZERO_WEEK_SHARE = {"fast": 0.008, "slow": 0.22}
REFERENCE_INCOME = 58000.0

ISO = "%Y-%m-%d"


def region_label(region, style):
    """A region spelled the way one of the source systems spells it."""
    words = region.split("-")
    if style == 0:
        return " ".join(w.capitalize() for w in words)
    if style == 1:
        return region.upper()
    if style == 2:
        return "_".join(words)
    return " {} ".format(region)


def store_label(number, style):
    """A store number spelled in one of the source systems' styles."""
    return (
        "ST{:04d}".format(number),
        "st-{}".format(number),
        " St{:04d} ".format(number),
        "ST-{:04d}".format(number),
    )[style]


def holiday_dates(years, rng):
    """National holidays (scope ALL) and one regional day per region."""
    rows = []
    for year in years:
        nov = pd.Timestamp(year, 11, 1)
        thanksgiving = nov + pd.Timedelta(days=(3 - nov.weekday()) % 7 + 21)
        may_end = pd.Timestamp(year, 5, 31)
        sep = pd.Timestamp(year, 9, 1)
        national = [
            (pd.Timestamp(year, 1, 1), "New Year's Day"),
            (pd.Timestamp(easter(year)) + pd.Timedelta(days=1),
             "Easter Monday"),
            (may_end - pd.Timedelta(days=may_end.weekday()), "Memorial Day"),
            (pd.Timestamp(year, 7, 4), "Independence Day"),
            (sep + pd.Timedelta(days=(7 - sep.weekday()) % 7), "Labor Day"),
            (thanksgiving, "Thanksgiving"),
            (pd.Timestamp(year, 12, 25), "Christmas Day"),
        ]
        rows += [(day, name, "ALL") for day, name in national]
    regional = {r: (int(rng.integers(3, 11)), int(rng.integers(1, 28)))
                for r in REGIONS}
    for year in years:
        for region in REGIONS:
            month, day = regional[region]
            rows.append((pd.Timestamp(year, month, day), "Regional Day",
                         region_label(region, 0)))
    return pd.DataFrame(rows, columns=["date", "name", "scope"])


def monday_index(dates, weeks):
    """Index into ``weeks`` of the Monday-starting week of each date."""
    dates = pd.DatetimeIndex(dates)
    mondays = dates - pd.to_timedelta(dates.weekday, unit="D")
    return (mondays - weeks[0]).days.values // 7


def euro_number(values, decimals):
    """Format numbers as 1.234,56 (European thousands and decimals)."""
    fmt = "{:,.%df}" % decimals
    table = str.maketrans(",.", ".,")
    return [fmt.format(v).translate(table) for v in values]


def build_world(rng, stores_per_cell, products_per_speed, weeks):
    """Stores, products, weather, holidays and promotions."""
    n_weeks = len(weeks)
    # --- stores ---------------------------------------------------------
    region_income = {r: rng.normal(0.0, 0.15) for r in REGIONS}
    rows = []
    for region in REGIONS:
        for store_format in ("large", "small"):
            for _ in range(stores_per_cell):
                rows.append((region, store_format))
    stores = pd.DataFrame(rows, columns=["region", "store_format"])
    n_stores = len(stores)
    stores["number"] = rng.choice(np.arange(1, 10000), n_stores,
                                  replace=False)
    stores["median_income"] = np.round(REFERENCE_INCOME * np.exp(
        stores["region"].map(region_income).values
        + rng.normal(0.0, 0.25, n_stores)), 0)
    large = (stores["store_format"] == "large").values
    stores["household_size"] = np.round(np.clip(
        rng.normal(2.5, 0.3, n_stores) + np.where(large, 0.2, -0.2),
        1.4, 4.2), 2)
    stores["urban_share"] = np.round(np.where(
        large, rng.beta(2.5, 3.0, n_stores), rng.beta(6.0, 2.0, n_stores)),
        3)
    stores["factor"] = np.exp(rng.normal(0.0, 0.2, n_stores))
    stores["growth"] = rng.normal(0.0, 0.05, n_stores)

    # --- products -------------------------------------------------------
    n_products = 2 * products_per_speed
    products = pd.DataFrame({
        "number": rng.choice(np.arange(1, 1000), n_products, replace=False),
        "speed": ["slow"] * products_per_speed + ["fast"] * products_per_speed,
    })
    cats = []
    for _ in range(2):
        order = list(rng.permutation(CATEGORIES))
        cats += [order[i % len(order)] for i in range(products_per_speed)]
    products["category"] = cats
    products["popularity"] = np.exp(rng.normal(0.0, 0.35, n_products))
    slow = (products["speed"] == "slow").values
    products["promo_lift"] = np.where(
        slow, rng.uniform(1.5, 2.3, n_products),
        rng.uniform(1.3, 1.8, n_products))
    products["return_rate"] = rng.uniform(0.005, 0.04, n_products)
    products["growth"] = rng.normal(0.03, 0.09, n_products)
    products["price"] = np.round(rng.uniform(1.5, 25.0, n_products), 2)

    # --- weather per region and week -----------------------------------
    doy = (weeks.dayofyear.values + 3).astype(float)
    n_regions = len(REGIONS)
    temp = np.zeros((n_regions, n_weeks))
    anomaly = np.zeros((n_regions, n_weeks))
    precip = np.zeros((n_regions, n_weeks))
    for i, region in enumerate(REGIONS):
        mean, amp, rain = CLIMATE[region]
        shocks = rng.normal(0.0, 2.5, n_weeks)
        for t in range(n_weeks):
            prev = anomaly[i, t - 1] if t else 0.0
            anomaly[i, t] = 0.6 * prev + shocks[t]
        temp[i] = mean + amp * np.cos(2 * np.pi * (doy - 200) / 365.25)
        temp[i] += anomaly[i]
        wet = rain * (1 + 0.3 * np.cos(2 * np.pi * (doy - 330) / 365.25))
        precip[i] = rng.gamma(2.0, wet / 2.0)

    # --- holidays: flag per region and week ----------------------------
    years = range(weeks[0].year - 1, weeks[-1].year + 2)
    holidays = holiday_dates(years, rng)
    holidays = holidays[(holidays["date"] >= weeks[0])
                        & (holidays["date"] <= weeks[-1]
                           + pd.Timedelta(days=6))].reset_index(drop=True)
    holiday_flag = np.zeros((n_regions, n_weeks), dtype=bool)
    week_of = monday_index(holidays["date"], weeks)
    for t, scope in zip(week_of, holidays["scope"]):
        if scope == "ALL":
            holiday_flag[:, t] = True
        else:
            holiday_flag[REGIONS.index(scope.lower().replace(" ", "-")),
                         t] = True

    # --- promotions: regional, per product, 1-3 weeks ------------------
    promo_flag = np.zeros((n_products, n_regions, n_weeks), dtype=bool)
    promo_rows = []
    for p in range(n_products):
        per_year = 4.0 if slow[p] else 6.0
        for r in range(n_regions):
            n_promos = rng.poisson(per_year * n_weeks / 52.0)
            starts = np.sort(rng.choice(n_weeks, n_promos, replace=False))
            for start in starts:
                end = min(start + int(rng.integers(0, 3)), n_weeks - 1)
                promo_flag[p, r, start:end + 1] = True
                promo_rows.append((p, r, int(start), int(end),
                                   int(rng.integers(0, 3)),
                                   int(rng.integers(2, 7))))
    return {
        "stores": stores,
        "products": products,
        "temp": temp,
        "anomaly": anomaly,
        "precip": precip,
        "holidays": holidays,
        "holiday_flag": holiday_flag,
        "promo_flag": promo_flag,
        "promo_rows": promo_rows,
    }


def simulate(rng, world, weeks):
    """Weekly shipped and returned units, arrays (store, product, week)."""
    stores, products = world["stores"], world["products"]
    n_weeks = len(weeks)
    years = ((weeks - weeks[0]).days.values / 365.25)[None, None, :]
    doy = (weeks.dayofyear.values + 3).astype(float)[None, None, :]
    region_idx = stores["region"].map(REGIONS.index).values
    small = (stores["store_format"] == "small").values[:, None, None]
    effects = np.array([CATEGORY_EFFECTS[c] for c in products["category"]])
    amp, peak, hol_lift, temp_sens, inc_el, hh_el = (
        effects[:, k][None, :, None] for k in range(6))
    fast = (products["speed"] == "fast").values[None, :, None]

    base = np.zeros((len(stores), len(products), 1))
    for (speed, store_format), units in BASE_UNITS.items():
        mask = ((products["speed"] == speed).values[None, :]
                & (stores["store_format"] == store_format).values[:, None])
        base[:, :, 0] += np.where(mask, units, 0.0)
    base *= stores["factor"].values[:, None, None]
    base *= products["popularity"].values[None, :, None]
    income = np.log(stores["median_income"].values / REFERENCE_INCOME)
    hh = stores["household_size"].values - 2.5
    urban = stores["urban_share"].values - 0.7
    log_mu = (np.log(base) + inc_el * income[:, None, None]
              + hh_el * hh[:, None, None]
              + np.where(small, 0.4 * urban[:, None, None], 0.0))
    growth = (stores["growth"].values[:, None, None]
              + products["growth"].values[None, :, None])
    log_mu = log_mu + growth * years
    seasonal_scale = np.array([CLIMATE[r][1] / 11.0 for r in REGIONS])
    log_mu = log_mu + (amp * seasonal_scale[region_idx][:, None, None]
                       * np.cos(2 * np.pi * (doy - peak) / 365.25))
    anomaly = world["anomaly"][region_idx][:, None, :]
    precip = world["precip"][region_idx][:, None, :]
    log_mu = log_mu + temp_sens * anomaly
    log_mu = log_mu - 0.004 * precip * np.where(small, 1.5, 1.0)
    holiday = world["holiday_flag"][region_idx][:, None, :]
    log_mu = log_mu + np.where(holiday, np.log(hol_lift), 0.0)
    promo = np.transpose(world["promo_flag"][:, region_idx, :], (1, 0, 2))
    lift = np.log(products["promo_lift"].values)[None, :, None]
    log_mu = log_mu + np.where(promo, lift, 0.0)
    # spring 2020: stock-piling of household goods, then fewer city trips
    start = weeks.get_loc(pd.Timestamp("2020-03-16")) if (
        pd.Timestamp("2020-03-16") in weeks) else None
    if start is not None:
        hoard = np.isin(products["category"].values,
                        ["household", "personal-care"])[None, :, None]
        shock = np.zeros((1, 1, n_weeks))
        shock[..., start:start + 3] = 1.0
        log_mu = log_mu + np.where(hoard, 0.45, 0.0) * shock
        lockdown = np.zeros((1, 1, n_weeks))
        lockdown[..., start + 1:start + 11] = 1.0
        log_mu = log_mu + np.where(small, -0.35, 0.05) * lockdown

    mu = np.exp(log_mu)
    shape = np.where(fast, NOISE_SHAPE["fast"], NOISE_SHAPE["slow"])
    shape = np.broadcast_to(shape, mu.shape)
    lam = mu * rng.gamma(shape, 1.0 / shape)
    zero_share = np.where(fast, ZERO_WEEK_SHARE["fast"],
                          ZERO_WEEK_SHARE["slow"])
    lam = np.where(rng.random(mu.shape) < zero_share, 0.0, lam)
    shipped = rng.poisson(lam)
    rate = np.broadcast_to(products["return_rate"].values[None, :, None],
                           mu.shape)
    returned = rng.binomial(shipped, rate)
    return shipped, returned


def long_table(world, shipped, returned, weeks):
    """One row per store, product and week with the simulated quantities."""
    n_s, n_p, n_w = shipped.shape
    s, p, t = np.meshgrid(np.arange(n_s), np.arange(n_p), np.arange(n_w),
                          indexing="ij")
    stores, products = world["stores"], world["products"]
    return pd.DataFrame({
        "s": s.ravel(),
        "p": p.ravel(),
        "t": t.ravel(),
        "store": stores["number"].values[s.ravel()],
        "product": products["number"].values[p.ravel()],
        "region": stores["region"].values[s.ravel()],
        "fast": (products["speed"].values[p.ravel()] == "fast"),
        "shipped": shipped.ravel(),
        "returned": returned.ravel(),
        "monday": weeks[t.ravel()],
    })


def write_erp_a(rows, world, rng, path):
    """';' separated, German headers, dd.mm.yyyy, decimal commas."""
    day = rows["monday"] + pd.to_timedelta(
        rng.integers(0, 5, len(rows)), unit="D")
    price = world["products"]["price"].values[rows["p"].values]
    out = pd.DataFrame({
        "Filiale": rows["store"].map("{:05d}".format).values,
        "Artikel": rows["product"].map("P{:03d}".format).values,
        "Lieferdatum": day.dt.strftime("%d.%m.%Y").values,
        "Menge": euro_number(rows["shipped"].values, 1),
        "Umsatz": euro_number(rows["shipped"].values * price, 2),
    })
    out.to_csv(path, sep=";", index=False)


def write_erp_b(rows, rng, path):
    """JSON lines; zero weeks omitted, fast movers in two deliveries."""
    rows = rows[rows["shipped"] > 0]
    split = rows["fast"].values & (rows["shipped"].values >= 2)
    first = np.where(split, rows["shipped"].values // 2,
                     rows["shipped"].values)
    part1 = rows.assign(quantity=first, offset=0)
    part2 = rows[split].assign(
        quantity=rows["shipped"].values[split] - first[split], offset=3)
    out = pd.concat([part1, part2]).sort_values(["t", "s", "p", "offset"])
    day = out["monday"] + pd.to_timedelta(out["offset"], unit="D")
    formats = np.array(["%Y-%m-%d", "%d.%m.%Y", "%Y%m%d", "%b %d, %Y"])
    choice = formats[rng.integers(0, len(formats), len(out))]
    shipped_on = np.empty(len(out), dtype=object)
    for fmt in formats:
        mask = choice == fmt
        shipped_on[mask] = day[mask].dt.strftime(str(fmt)).values
    frame = pd.DataFrame({
        "storeCode": out["store"].map("st-{}".format).values,
        "item": out["product"].map("p-{}".format).values,
        "shippedOn": shipped_on,
        "quantity": out["quantity"].values.astype(int),
    })
    frame.to_json(path, orient="records", lines=True)


def write_erp_c(rows, rng, path):
    """Upper-case CSV; blank = nothing shipped; some re-sent duplicates."""
    units = rows["shipped"].astype(str).values.astype(object)
    units[rows["shipped"].values == 0] = ""
    out = pd.DataFrame({
        "STORE_ID": rows["store"].map("ST-{:04d}".format).values,
        "PRODUCT_CODE": rows["product"].map("P-{:03d}".format).values,
        "WEEK_START": rows["monday"].dt.strftime(ISO).values,
        "UNITS_SHIPPED": units,
    })
    dup = rng.random(len(out)) < 0.005
    out = pd.concat([out, out[dup]]).sort_index(kind="stable")
    out.to_csv(path, index=False)


def write_returns(rows, rng, path):
    """Returns as negative quantities, dated on the day of the return."""
    rows = rows[rows["returned"] > 0]
    when = rows["monday"] + pd.to_timedelta(
        rng.integers(0, 7 * 24 * 60, len(rows)), unit="m")
    out = pd.DataFrame({
        "store": rows["store"].map("st-{}".format).values,
        "sku": rows["product"].map("P{:03d}".format).values,
        "return_date": when.dt.strftime("%Y-%m-%dT%H:%M:00").values,
        "qty": -rows["returned"].values,
    })
    out.to_csv(path, index=False)


def write_master(world, rng, out_dir):
    """stores.csv (messy), products.json, weather, holidays, promotions."""
    stores = world["stores"]
    n = len(stores)
    ids = [store_label(num, int(style)) for num, style in
           zip(stores["number"], rng.integers(0, 4, n))]
    regions = [region_label(r, int(style)) for r, style in
               zip(stores["region"], rng.integers(0, 4, n))]
    large_names = ["Large", "LARGE", "L", " large format"]
    small_names = ["Small", "SMALL", "S", "small format "]
    formats = [(large_names if f == "large" else small_names)[int(k)]
               for f, k in zip(stores["store_format"],
                               rng.integers(0, 4, n))]
    dollar = rng.random(n) < 0.5
    income = ["${:,.0f}".format(v) if d else "{:.1f}".format(v)
              for v, d in zip(stores["median_income"], dollar)]
    comma = rng.random(n) < 0.3
    hh = ["{:.2f}".format(v).replace(".", ",") if c else "{:.2f}".format(v)
          for v, c in zip(stores["household_size"], comma)]
    percent = rng.random(n) < 0.5
    urban = ["{:.1f}%".format(100 * v) if pc else "{:.3f}".format(v)
             for v, pc in zip(stores["urban_share"], percent)]
    master = pd.DataFrame({
        "Store ID": ids, "Region": regions, "Format": formats,
        "Median Income": income, "HH Size": hh, "Urban Share": urban,
    })
    # two stores were re-keyed by hand: an outdated duplicate comes first
    stale = master.iloc[:2].copy()
    stale["Median Income"] = "0"
    stale["Store ID"] = [s.strip().lower() for s in stale["Store ID"]]
    master = pd.concat([stale, master]).reset_index(drop=True)
    order = np.concatenate([[0, 1], 2 + rng.permutation(n)])
    master.iloc[order].to_csv(os.path.join(out_dir, "stores.csv"),
                              index=False)

    products = world["products"]
    velocity = {"slow": ["Slow Mover", "SLOW", "slow-mover"],
                "fast": ["Fast Mover", "FAST", "fast-mover"]}
    records = []
    for row, k in zip(products.itertuples(),
                      rng.integers(0, 3, len(products))):
        records.append({
            "SKU": "p-{}".format(row.number),
            "Description": "{} item {}".format(row.category.title(),
                                               row.number),
            "Category": " " + row.category.replace("-", " ").title(),
            "Velocity": velocity[row.speed][int(k)],
            "ListPrice": float(row.price),
        })
    with open(os.path.join(out_dir, "products.json"), "w") as f:
        json.dump(records, f, indent=1)
        f.write("\n")

    weeks = world["weeks"]
    n_r, n_w = world["temp"].shape
    temp_f = world["temp"] * 9.0 / 5.0 + 32.0
    precip_in = world["precip"] / 25.4
    weather = pd.DataFrame({
        "REGION": np.repeat([region_label(r, 0) for r in REGIONS], n_w),
        "WEEK_ENDING": np.tile(
            (weeks + pd.Timedelta(days=6)).strftime("%m/%d/%Y"), n_r),
        "TEMP_F": np.round(temp_f.ravel(), 1).astype(object),
        "PRECIP_IN": np.round(precip_in.ravel(), 2).astype(object),
    })
    for col in ("TEMP_F", "PRECIP_IN"):
        weather.loc[rng.random(len(weather)) < 0.02, col] = ""
    weather.to_csv(os.path.join(out_dir, "weather.csv"), index=False)

    holidays = world["holidays"].copy()
    holidays["date"] = holidays["date"].dt.strftime(ISO)
    holidays.to_csv(os.path.join(out_dir, "holidays.csv"), index=False)

    promos = []
    for i, (p, r, start, end, late, early) in enumerate(world["promo_rows"]):
        first = weeks[start] + pd.Timedelta(days=late)
        last = weeks[end] + pd.Timedelta(days=early)
        promos.append(("PR{:05d}".format(i + 1),
                       "P{:03d}".format(products["number"].iloc[p]),
                       REGIONS[r].upper(), first.strftime(ISO),
                       last.strftime(ISO)))
    pd.DataFrame(promos, columns=["promo_id", "sku", "region", "start_date",
                                  "end_date"]).to_csv(
        os.path.join(out_dir, "promotions.csv"), index=False)


def generate(out_dir, seed=7, stores_per_cell=3, products_per_speed=6,
             first_week=FIRST_WEEK, last_week=LAST_WEEK):
    """Write the raw files into ``out_dir``; return their names."""
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(seed)
    weeks = pd.date_range(first_week, last_week, freq="7D")
    if len(weeks) < 2 or weeks[0].weekday() != 0:
        raise ValueError("first_week must be a Monday before last_week")
    world = build_world(rng, stores_per_cell, products_per_speed, weeks)
    world["weeks"] = weeks
    shipped, returned = simulate(rng, world, weeks)
    rows = long_table(world, shipped, returned, weeks)
    names = {
        "erp_a": "shipments_erp_a.csv",
        "erp_b": "shipments_erp_b.jsonl",
        "erp_c": "shipments_erp_c.csv",
    }
    for source, regions in SOURCES.items():
        part = rows[rows["region"].isin(regions)]
        path = os.path.join(out_dir, names[source])
        if source == "erp_a":
            write_erp_a(part, world, rng, path)
        elif source == "erp_b":
            write_erp_b(part, rng, path)
        else:
            write_erp_c(part, rng, path)
    write_returns(rows, rng, os.path.join(out_dir, "returns.csv"))
    write_master(world, rng, out_dir)
    return sorted(os.listdir(out_dir))


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Generate raw demand data in messy source formats.")
    parser.add_argument("--out", default="data/raw")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--stores-per-cell", type=int, default=3)
    parser.add_argument("--products-per-speed", type=int, default=6)
    parser.add_argument("--first-week", default=FIRST_WEEK)
    parser.add_argument("--last-week", default=LAST_WEEK)
    args = parser.parse_args(argv)
    started = time.time()
    files = generate(args.out, args.seed, args.stores_per_cell,
                     args.products_per_speed, args.first_week,
                     args.last_week)
    print("wrote {} files to {} in {:.1f}s: {}".format(
        len(files), args.out, time.time() - started, ", ".join(files)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
