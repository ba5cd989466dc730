"""Small hand-made frames for unit tests."""

import pandas as pd


def frame(rows):
    """A small standardized frame from (store, product, week, units)."""
    out = pd.DataFrame(rows, columns=["store_id", "product_id", "week",
                                      "units"])
    out["region"] = "north-east"
    out["store_format"] = "large"
    out["speed"] = "fast"
    out["category"] = "snacks"
    out["returns"] = 0
    out["temperature"] = 10.0
    out["precipitation"] = 5.0
    out["holiday"] = 0
    out["promotion"] = 0
    out["median_income"] = 60000
    out["household_size"] = 2.5
    out["urban_share"] = 0.5
    return out
