"""The small checked-in sample: every cell, few series, recent weeks.

    python -m forecasting.sample --full data/full/shipments.csv \
        --out data/sample/shipments.csv

Per (region, store_format, speed) cell: one store, its most active
product(s), the last ``--weeks`` weeks.  Store ids are replaced by a salted
hash (``s-3f9a1c``) so the sample does not expose the store numbers.
"""

import argparse
import hashlib
import os
import sys

import pandas as pd

from .schema import STANDARD_COLUMNS

SALT = "demand-forecasting-sample-v1"
MAX_BYTES = 400 * 1024


def obfuscate(store_id, salt=SALT):
    digest = hashlib.sha256((salt + str(store_id)).encode()).hexdigest()
    return "s-" + digest[:6]


def make_sample(full, weeks=52, stores_per_cell=1, products_per_cell=1):
    """Select and obfuscate; returns the sample frame."""
    last_weeks = sorted(full["week"].unique())[-weeks:]
    recent = full[full["week"].isin(last_weeks)]
    parts = []
    for _, cell in recent.groupby(["region", "store_format", "speed"]):
        stores = sorted(cell["store_id"].unique())[:stores_per_cell]
        for store in stores:
            rows = cell[cell["store_id"] == store]
            activity = rows.groupby("product_id")["units"].mean()
            ranked = sorted(activity.items(), key=lambda kv: (-kv[1], kv[0]))
            keep = [p for p, _ in ranked[:products_per_cell]]
            parts.append(rows[rows["product_id"].isin(keep)])
    sample = pd.concat(parts).copy()
    mapping = {s: obfuscate(s) for s in sample["store_id"].unique()}
    if len(set(mapping.values())) != len(mapping):
        raise ValueError("store id hash collision; change SALT")
    sample["store_id"] = sample["store_id"].map(mapping)
    sample = sample.sort_values(["store_id", "product_id", "week"])
    return sample[list(STANDARD_COLUMNS)].reset_index(drop=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", default="data/full/shipments.csv")
    parser.add_argument("--out", default="data/sample/shipments.csv")
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--stores-per-cell", type=int, default=1)
    parser.add_argument("--products-per-cell", type=int, default=1)
    args = parser.parse_args(argv)
    if not os.path.isfile(args.full):
        print("sample: error: no such file: {}".format(args.full),
              file=sys.stderr)
        return 2
    full = pd.read_csv(args.full, dtype={"store_id": str, "product_id": str,
                                         "week": str})
    sample = make_sample(full, args.weeks, args.stores_per_cell,
                         args.products_per_cell)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    sample.to_csv(args.out, index=False)
    size = os.path.getsize(args.out)
    cells = sample.groupby(["region", "store_format", "speed"]).ngroups
    print("wrote {} rows, {} cells, {} weeks, {:.0f} KB to {}".format(
        len(sample), cells, sample["week"].nunique(), size / 1024, args.out))
    if size > MAX_BYTES:
        print("sample: error: {} is larger than {} KB".format(
            args.out, MAX_BYTES // 1024), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
