"""Feature engineering shared by training and scoring.

score.csv has no ``units``, so every demand-history feature is computed
from a ``History``: the weekly units of each series (store, product) seen
in training.  Lagged features look at least ``LAG_GAP`` weeks back, the
length of the scoring window after training ends, so the features of a
training row are computed exactly as those of a scoring row 1..8 weeks
after the end of training.  Past that horizon the windows are clipped to
the last known week (the freshest information there is).
"""

import numpy as np
import pandas as pd

LAG_GAP = 8          # scoring window: the 8 weeks after training ends
RECENT_WEEKS = 13    # "recent level": 13 weeks ending LAG_GAP weeks ago
YEAR_WEEKS = 52      # "annual level": 52 weeks ending LAG_GAP weeks ago
LAST_YEAR_LAG = 51   # "same week last year": weeks t-53 .. t-51
LAST_YEAR_WEEKS = 3
HISTORY_KEEP = 104   # weeks of history a model keeps for scoring

EPOCH = np.datetime64("1970-01-05", "D")  # a Monday

NUMERIC_FEATURES = (
    "recent_level",
    "annual_level",
    "last_year",
    "recent_missing",
    "last_year_missing",
    "season_sin1",
    "season_cos1",
    "season_sin2",
    "season_cos2",
    "holiday",
    "promotion",
    "temperature",
    "precipitation",
    "log_income",
    "household_size",
    "urban_share",
)
SEASON_FEATURES = ("season_sin1", "season_cos1")
# Features that need a year of history to be learned; a model trained on
# less switches them off (they are set to 0 in training and scoring).
YEARLY_FEATURES = (
    "last_year",
    "last_year_missing",
    "season_sin1",
    "season_cos1",
    "season_sin2",
    "season_cos2",
)

# columns the features need (besides units for training)
INPUT_COLUMNS = (
    "store_id",
    "product_id",
    "week",
    "category",
    "holiday",
    "promotion",
    "temperature",
    "precipitation",
    "median_income",
    "household_size",
    "urban_share",
)


def parse_weeks(values):
    """ISO date strings -> datetime64[D]; ValueError if unparseable."""
    dates = pd.to_datetime(pd.Series(values, dtype="object"),
                           format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        bad = pd.Series(values)[dates.isna().values].iloc[0]
        raise ValueError("week is not a YYYY-MM-DD date: {!r}".format(bad))
    return dates.values.astype("datetime64[D]")


def week_index(values):
    """Whole weeks since 1970-01-05 (any weekday maps to its week)."""
    days = (parse_weeks(values) - EPOCH).astype(np.int64)
    return days // 7


def series_keys(frame):
    """One key per (store_id, product_id)."""
    return (frame["store_id"].astype(str) + "|"
            + frame["product_id"].astype(str)).values


class History:
    """Weekly units per series on a dense week grid (NaN = not seen)."""

    def __init__(self, series, start, units):
        self.series = list(series)
        self.start = int(start)
        self.units = np.asarray(units, dtype=float)
        self._index = {key: i for i, key in enumerate(self.series)}
        values = np.nan_to_num(self.units, nan=0.0)
        seen = (~np.isnan(self.units)).astype(float)
        zeros = np.zeros((len(self.series), 1))
        self._csum = np.hstack([zeros, np.cumsum(values, axis=1)])
        self._ccount = np.hstack([zeros, np.cumsum(seen, axis=1)])

    @property
    def n_weeks(self):
        return self.units.shape[1]

    @property
    def last(self):
        return self.start + self.n_weeks - 1

    @classmethod
    def from_frame(cls, frame):
        """Build from rows with store_id, product_id, week and units."""
        keys = series_keys(frame)
        weeks = week_index(frame["week"])
        series = sorted(set(keys))
        start, last = int(weeks.min()), int(weeks.max())
        units = np.full((len(series), last - start + 1), np.nan)
        index = {key: i for i, key in enumerate(series)}
        rows = np.array([index[k] for k in keys])
        units[rows, weeks - start] = frame["units"].values.astype(float)
        return cls(series, start, units)

    def tail(self, n_weeks):
        """The same history restricted to its last ``n_weeks`` weeks."""
        keep = min(n_weeks, self.n_weeks)
        return History(self.series, self.last - keep + 1,
                       self.units[:, -keep:])

    def lookup(self, keys):
        """Row of each series key, -1 if unknown."""
        return np.array([self._index.get(k, -1) for k in keys], dtype=int)

    def window_mean(self, rows, end, length):
        """Mean units over weeks [end-length+1, end] per row (NaN if none).

        ``end`` is clipped to the last known week."""
        end = np.minimum(np.asarray(end), self.last) - self.start
        begin = np.maximum(end - length + 1, 0)
        ok = (rows >= 0) & (end >= 0)
        out = np.full(len(rows), np.nan)
        r, b, e = rows[ok], begin[ok], end[ok] + 1
        total = self._csum[r, e] - self._csum[r, b]
        count = self._ccount[r, e] - self._ccount[r, b]
        with np.errstate(invalid="ignore", divide="ignore"):
            out[ok] = np.where(count > 0, total / np.maximum(count, 1),
                               np.nan)
        return out

    def series_means(self):
        """Mean units of each series over the whole history."""
        count = self._ccount[:, -1]
        return self._csum[:, -1] / np.maximum(count, 1)


def build_features(frame, history, series_level, global_level,
                   disabled=()):
    """Numeric feature frame (columns ``NUMERIC_FEATURES``) for ``frame``.

    series_level: fallback mean units per history series; global_level:
    fallback for series the history does not know; disabled: features
    set to 0."""
    t = week_index(frame["week"])
    rows = history.lookup(series_keys(frame))
    level = np.where(rows >= 0, np.asarray(series_level)[rows],
                     global_level)
    recent = history.window_mean(rows, t - LAG_GAP, RECENT_WEEKS)
    annual = history.window_mean(rows, t - LAG_GAP, YEAR_WEEKS)
    last_year = history.window_mean(rows, t - LAST_YEAR_LAG, LAST_YEAR_WEEKS)
    recent_missing = np.isnan(recent)
    recent = np.where(recent_missing, level, recent)
    annual = np.where(np.isnan(annual), recent, annual)
    last_year_missing = np.isnan(last_year)
    last_year = np.where(last_year_missing, annual, last_year)

    dates = parse_weeks(frame["week"])
    doy = (pd.DatetimeIndex(dates).dayofyear.values + 3) / 365.25
    angle = 2.0 * np.pi * doy
    income = frame["median_income"].values.astype(float)
    out = pd.DataFrame({
        "recent_level": np.log1p(recent),
        "annual_level": np.log1p(annual),
        "last_year": np.log1p(last_year),
        "recent_missing": recent_missing.astype(float),
        "last_year_missing": last_year_missing.astype(float),
        "season_sin1": np.sin(angle),
        "season_cos1": np.cos(angle),
        "season_sin2": np.sin(2 * angle),
        "season_cos2": np.cos(2 * angle),
        "holiday": frame["holiday"].values.astype(float),
        "promotion": frame["promotion"].values.astype(float),
        "temperature": frame["temperature"].values.astype(float),
        "precipitation": frame["precipitation"].values.astype(float),
        "log_income": np.log(np.maximum(income, 1.0)),
        "household_size": frame["household_size"].values.astype(float),
        "urban_share": frame["urban_share"].values.astype(float),
    }, index=frame.index)
    for name in disabled:
        out[name] = 0.0
    return out[list(NUMERIC_FEATURES)]


class Encoder:
    """Standardizes numeric features and indexes/one-hots categoricals."""

    def __init__(self, means, stds, stores, products, categories):
        self.means = np.asarray(means, dtype=float)
        self.stds = np.asarray(stds, dtype=float)
        self.stores = list(stores)
        self.products = list(products)
        self.categories = list(categories)

    @classmethod
    def fit(cls, features, frame):
        values = features.values.astype(float)
        means = values.mean(axis=0)
        stds = values.std(axis=0)
        stds = np.where(stds > 1e-9, stds, 1.0)
        return cls(means, stds,
                   sorted(frame["store_id"].astype(str).unique()),
                   sorted(frame["product_id"].astype(str).unique()),
                   sorted(frame["category"].astype(str).unique()))

    def to_dict(self):
        return {
            "features": list(NUMERIC_FEATURES),
            "means": [float(v) for v in self.means],
            "stds": [float(v) for v in self.stds],
            "stores": self.stores,
            "products": self.products,
            "categories": self.categories,
        }

    @classmethod
    def from_dict(cls, d):
        if list(d["features"]) != list(NUMERIC_FEATURES):
            raise ValueError("model was trained with other features")
        return cls(d["means"], d["stds"], d["stores"], d["products"],
                   d["categories"])

    def numeric(self, features):
        """Standardized numeric matrix."""
        return (features.values.astype(float) - self.means) / self.stds

    @staticmethod
    def _index(values, vocab):
        """1-based vocabulary index, 0 for unseen values."""
        lookup = {v: i + 1 for i, v in enumerate(vocab)}
        return np.array([lookup.get(v, 0) for v in values.astype(str)],
                        dtype=int)

    def store_index(self, frame):
        return self._index(frame["store_id"], self.stores)

    def product_index(self, frame):
        return self._index(frame["product_id"], self.products)

    def design(self, features, frame):
        """Linear-model design matrix: standardized numerics, one-hot
        store, product and category, and category x yearly season."""
        numeric = self.numeric(features)
        parts = [numeric]
        for idx, size in ((self.store_index(frame), len(self.stores)),
                          (self.product_index(frame), len(self.products))):
            parts.append(np.eye(size + 1)[idx][:, 1:])
        cat = np.eye(len(self.categories) + 1)[
            self._index(frame["category"], self.categories)][:, 1:]
        parts.append(cat)
        cols = [NUMERIC_FEATURES.index(c) for c in SEASON_FEATURES]
        for col in cols:
            parts.append(cat * numeric[:, [col]])
        return np.hstack(parts)

    def design_names(self):
        names = list(NUMERIC_FEATURES)
        names += ["store=" + s for s in self.stores]
        names += ["product=" + p for p in self.products]
        names += ["category=" + c for c in self.categories]
        for col in SEASON_FEATURES:
            names += ["category={}*{}".format(c, col)
                      for c in self.categories]
        return names
