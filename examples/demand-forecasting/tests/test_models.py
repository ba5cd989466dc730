import json
import os

import numpy as np

from forecasting import lasso, metrics, model as md
from forecasting.features import Encoder, History, build_features
from forecasting.nn import EmbeddingNet


def _design(train):
    hist = History.from_frame(train)
    feats = build_features(train, hist, hist.series_means(),
                           train["units"].mean())
    enc = Encoder.fit(feats, train)
    return enc, feats


def test_lasso_reduces_loss(split):
    train, _ = split
    enc, feats = _design(train)
    target = np.log1p(train["units"].values)
    params = lasso.fit_lasso(enc.design(feats, train), target)
    assert params["train_mse"] < 0.7 * params["null_mse"]
    assert len(params["coef"]) == len(enc.design_names())
    pred = lasso.predict_lasso(params, enc.design(feats, train))
    assert np.isclose(np.mean((pred - target) ** 2), params["train_mse"])


def test_nn_reduces_loss_and_is_deterministic(split):
    train, _ = split
    enc, feats = _design(train)
    target = np.log1p(train["units"].values)
    target = (target - target.mean()) / target.std()
    args = (enc.store_index(train), enc.product_index(train),
            enc.numeric(feats), target)
    runs = []
    for _ in range(2):
        net = EmbeddingNet(len(enc.stores), len(enc.products),
                           len(enc.means), seed=1)
        runs.append((net, net.fit(*args, epochs=5, seed=1)))
    losses = runs[0][1]
    assert losses[-1] < 0.6 * losses[0]
    assert losses == runs[1][1]
    assert np.array_equal(runs[0][0].params["w1"], runs[1][0].params["w1"])


def test_nn_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    net = EmbeddingNet(2, 3, 4, emb_dim=2, hidden=5, seed=0)
    stores, products = np.array([0, 1, 2]), np.array([1, 3, 0])
    x, y = rng.normal(size=(3, 4)), rng.normal(size=3)
    grads = net._gradients(stores, products, x, y)
    for key, pos in (("w1", (1, 2)), ("emb_product", (3, 1)),
                     ("b2", (0,))):
        old = net.params[key][pos]
        net.params[key][pos] = old + 1e-6
        up = net.loss(stores, products, x, y)
        net.params[key][pos] = old - 1e-6
        down = net.loss(stores, products, x, y)
        net.params[key][pos] = old
        assert np.isclose(grads[key][pos], (up - down) / 2e-6, atol=1e-5)


def test_cell_model_round_trip_and_files(split, tmp_path):
    train, test = split
    model, stats = md.CellModel.fit(train, epochs=5, meta={"m": "x"})
    assert stats["nn_loss_final"] < stats["nn_loss_initial"]
    assert all(np.isfinite(v) for v in stats.values())
    model.save(str(tmp_path))
    score = test.drop(columns=["units"])
    loaded = md.CellModel.load(str(tmp_path))
    assert np.allclose(loaded.predict(score), model.predict(score))
    names = sorted(os.listdir(tmp_path))
    assert md.MODEL_FILE in names
    for name in names:
        if name.endswith(".npy"):
            arr = np.load(tmp_path / name, allow_pickle=False)
            assert arr.dtype == np.float64 and np.isfinite(arr).all()
        else:
            assert name == md.MODEL_FILE
    with open(tmp_path / md.MODEL_FILE) as f:
        doc = json.loads(f.read(), parse_constant=lambda c: 1 / 0)
    assert doc["meta"]["m"] == "x" and doc["ensemble"]["weights"]


def test_model_beats_historical_average(split):
    train, test = split
    model, _ = md.CellModel.fit(train, epochs=20)
    pred = model.predict(test.drop(columns=["units"]))
    base = metrics.historical_average(train, test)
    assert (pred >= 0).all() and len(pred) == len(test)
    assert metrics.mape(test["units"], pred) < metrics.mape(
        test["units"], base)
    assert len(model.predict(test.iloc[:0])) == 0


def test_calibration_factor():
    actual = np.array([2.0, 4.0, 0.0])
    assert np.isclose(md.calibration_factor(actual, actual / 2), 2.0,
                      rtol=0.05)
    assert md.calibration_factor(np.zeros(3), np.ones(3)) == 1.0


def test_metrics():
    actual = np.array([0, 2, 4])
    pred = np.array([1, 1, 4])
    assert metrics.mape(actual, pred) == 0.25
    assert metrics.rmse_zero(actual, pred) == 1.0
    assert np.isnan(metrics.mape([0, 0], [1, 1]))
    assert np.isnan(metrics.rmse_zero([1], [1]))


def test_short_history_uses_fixed_choices(split, tmp_path):
    """< 24 weeks: no validation slice; < 60 weeks: no yearly features."""
    train, test = split
    weeks = sorted(train["week"].unique())
    short = train[train["week"] >= weeks[-20]]
    model, stats = md.CellModel.fit(short, epochs=3)
    assert not model.meta["validated"] and "valid_mape" not in stats
    assert stats["lasso_alpha"] == md.FALLBACK_ALPHA
    assert set(model.disabled) == set(md.YEARLY_FEATURES)
    model.save(str(tmp_path))
    loaded = md.CellModel.load(str(tmp_path))
    assert loaded.disabled == model.disabled
    score = test.drop(columns=["units"])
    assert np.allclose(loaded.predict(score), model.predict(score))


def test_long_history_is_validated(split):
    train, _ = split
    model, stats = md.CellModel.fit(train, epochs=3)
    assert model.meta["validated"] and stats["valid_rows"] > 0
    assert stats["lasso_alpha"] in md.ALPHA_GRID
    assert stats["nn_weight"] in md.NN_WEIGHTS
    assert model.disabled == ()
    assert np.isclose(sum(model.weights), 1.0)


def test_predictions_are_capped(split):
    train, test = split
    model, _ = md.CellModel.fit(train, epochs=3)
    model.lasso = dict(model.lasso, intercept=50.0)
    lasso_units, _ = model.member_predictions(test)
    peak = np.nanmax(model.history.units)
    assert np.allclose(lasso_units, md.CAP_FACTOR * peak)
