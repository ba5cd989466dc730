import numpy as np
import pandas as pd
import pytest

from forecasting import features as ft
from tests.helpers import frame


def weekly(n, start="2024-01-01"):
    return pd.date_range(start, periods=n, freq="7D").strftime(
        "%Y-%m-%d").tolist()


def test_week_index_is_weekly():
    idx = ft.week_index(["2024-01-01", "2024-01-08", "2024-01-10"])
    assert idx[1] - idx[0] == 1 and idx[2] == idx[1]
    with pytest.raises(ValueError):
        ft.week_index(["01/08/2024"])


def test_history_window_mean():
    weeks = weekly(5)
    hist = ft.History.from_frame(frame(
        [("S1", "P1", w, u) for w, u in zip(weeks, [1, 2, 3, 4, 5])]
        + [("S2", "P1", weeks[0], 7)]))
    rows = hist.lookup(["S1|P1", "S1|P1", "S2|P1", "S9|P9"])
    end = hist.start + np.array([2, 10, 3, 3])
    got = hist.window_mean(rows, end, 2)
    # weeks 2..3 -> 2.5; beyond the end it is clipped to the last week;
    # S2 has only week 0 inside its history; unknown series -> NaN
    assert got[0] == 2.5 and got[1] == 4.5 and np.isnan(got[2])
    assert np.isnan(got[3])
    assert list(hist.series_means()) == [3.0, 7.0]
    tail = hist.tail(2)
    assert tail.n_weeks == 2 and tail.last == hist.last


def _standard(n_weeks):
    weeks = weekly(n_weeks, "2022-01-03")
    rng = np.random.default_rng(0)
    return frame([("S1", "P1", w, int(u)) for w, u in
                  zip(weeks, rng.poisson(20, n_weeks))])


def test_lags_skip_the_scoring_window():
    """Changing the last LAG_GAP weeks before t never changes row t."""
    data = _standard(80)
    hist = ft.History.from_frame(data)
    base = ft.build_features(data, hist, hist.series_means(), 20.0)
    changed = data.copy()
    changed.loc[72:78, "units"] = 500
    hist2 = ft.History.from_frame(changed)
    again = ft.build_features(data, hist2, hist.series_means(), 20.0)
    assert np.allclose(base.iloc[79], again.iloc[79])


def test_scoring_features_match_training_features():
    """A model keeps only the history tail; features do not change."""
    data = _standard(120)
    train, score = data.iloc[:112], data.iloc[112:].drop(columns=["units"])
    hist = ft.History.from_frame(train)
    full = ft.History.from_frame(data)
    level = hist.series_means()
    tail = hist.tail(ft.HISTORY_KEEP)
    a = ft.build_features(score, tail, level, 20.0)
    b = ft.build_features(score, full, level, 20.0)
    assert np.allclose(a.values, b.values)
    assert list(a.columns) == list(ft.NUMERIC_FEATURES)
    assert a["recent_missing"].sum() == 0


def test_unknown_series_fall_back_to_global_level():
    data = _standard(30)
    hist = ft.History.from_frame(data)
    other = data.assign(store_id="S-new")
    out = ft.build_features(other, hist, hist.series_means(), 12.0)
    assert np.allclose(out["recent_level"], np.log1p(12.0))
    assert out["recent_missing"].all()


def test_encoder_design_and_round_trip():
    data = frame([("S1", "P1", "2024-01-01", 3), ("S2", "P2",
                                                  "2024-01-01", 5)])
    hist = ft.History.from_frame(data)
    feats = ft.build_features(data, hist, hist.series_means(), 4.0)
    enc = ft.Encoder.fit(feats, data)
    design = enc.design(feats, data)
    assert design.shape == (2, len(enc.design_names()))
    again = ft.Encoder.from_dict(enc.to_dict())
    assert np.allclose(again.design(feats, data), design)
    unseen = data.assign(store_id="S9")
    assert list(enc.store_index(unseen)) == [0, 0]
    bad = enc.to_dict()
    bad["features"] = ["x"]
    with pytest.raises(ValueError):
        ft.Encoder.from_dict(bad)
