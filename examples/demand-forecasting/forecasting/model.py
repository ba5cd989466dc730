"""The per-cell ensemble: LASSO + embedding network, saved without pickle.

A model folder holds ``model.json`` (metadata, scalers, vocabularies, LASSO
coefficients, ensemble weights; finite numbers only) and float64 ``.npy``
arrays: the network weights and the recent demand history that scoring
needs for its lagged features.
"""

import json
import os
import time

import numpy as np

from . import __version__
from .features import HISTORY_KEEP, Encoder, History, build_features
from .lasso import DEFAULT_ALPHA, fit_lasso, predict_lasso
from .nn import EmbeddingNet

FORMAT = "demand-forecasting-ensemble/1"
MODEL_FILE = "model.json"
HISTORY_UNITS = "history_units.npy"
HISTORY_SEEN = "history_seen.npy"
SERIES_LEVEL = "series_level.npy"
# Calibration: one multiplicative factor per cell, chosen on the training
# rows of the last CALIBRATION_WEEKS weeks to minimize MAPE (the business
# metric) -- log-space fits are biased low for intermittent demand.
CALIBRATION_WEEKS = 52
CALIBRATION_GRID = np.exp(np.linspace(np.log(0.5), np.log(2.5), 49))


def calibration_factor(actual, predicted, grid=CALIBRATION_GRID):
    """The factor in ``grid`` minimizing MAPE of ``factor * predicted``."""
    actual = np.asarray(actual, dtype=float)
    predicted = np.asarray(predicted, dtype=float)
    positive = actual > 0
    if not positive.any():
        return 1.0
    a, p = actual[positive], predicted[positive]
    errors = [np.mean(np.abs(k * p - a) / a) for k in grid]
    return float(grid[int(np.argmin(errors))])


class CellModel:
    def __init__(self, encoder, history, series_level, global_level,
                 lasso, net, target_mean, target_std, weights, meta,
                 calibration=1.0):
        self.encoder = encoder
        self.history = history
        self.series_level = np.asarray(series_level, dtype=float)
        self.global_level = float(global_level)
        self.lasso = lasso
        self.net = net
        self.target_mean = float(target_mean)
        self.target_std = float(target_std)
        self.weights = [float(w) for w in weights]
        self.meta = dict(meta)
        self.calibration = float(calibration)

    # -- training ------------------------------------------------------
    @classmethod
    def fit(cls, frame, epochs=40, seed=0, alpha=DEFAULT_ALPHA,
            meta=None):
        """Fit both members on the rows of one cell (with ``units``).

        Returns (model, metrics) where metrics is a flat dict of floats."""
        started = time.time()
        frame = frame.reset_index(drop=True)
        history = History.from_frame(frame)
        series_level = history.series_means()
        global_level = float(frame["units"].mean())
        features = build_features(frame, history, series_level,
                                  global_level)
        encoder = Encoder.fit(features, frame)
        target = np.log1p(frame["units"].values.astype(float))

        lasso = fit_lasso(encoder.design(features, frame), target, alpha)

        target_mean = float(target.mean())
        target_std = float(target.std()) if target.std() > 1e-9 else 1.0
        scaled = (target - target_mean) / target_std
        net = EmbeddingNet(len(encoder.stores), len(encoder.products),
                           len(encoder.means), seed=seed)
        losses = net.fit(encoder.store_index(frame),
                         encoder.product_index(frame),
                         encoder.numeric(features), scaled, epochs,
                         seed=seed)
        info = dict(meta or {})
        info.update({
            "epochs": int(epochs),
            "seed": int(seed),
            "train_rows": int(len(frame)),
            "train_first_week": str(frame["week"].min()),
            "train_last_week": str(frame["week"].max()),
        })
        model = cls(encoder, history.tail(HISTORY_KEEP), series_level,
                    global_level, lasso, net, target_mean, target_std,
                    [0.5, 0.5], info)
        weeks = sorted(frame["week"].unique())
        recent = frame[frame["week"] >= weeks[-min(CALIBRATION_WEEKS,
                                                   len(weeks))]]
        model.calibration = calibration_factor(recent["units"].values,
                                               model.predict(recent))
        fitted = model.predict(frame)
        actual = frame["units"].values.astype(float)
        positive = actual > 0
        metrics = {
            "train_rows": float(len(frame)),
            "train_series": float(len(history.series)),
            "lasso_train_mse": lasso["train_mse"],
            "lasso_null_mse": lasso["null_mse"],
            "lasso_nonzero_coefs": float(lasso["nonzero"]),
            "nn_loss_initial": float(losses[0]),
            "nn_loss_final": float(losses[-1]),
            "calibration": model.calibration,
            "train_mape": float(np.mean(
                np.abs(fitted[positive] - actual[positive])
                / actual[positive])) if positive.any() else 0.0,
            "fit_seconds": round(time.time() - started, 3),
        }
        return model, metrics

    # -- scoring -------------------------------------------------------
    def member_predictions(self, frame):
        """Units predicted by (lasso, nn), each clipped to >= 0."""
        history = self.history
        features = build_features(frame, history, self.series_level,
                                  self.global_level)
        design = self.encoder.design(features, frame)
        lasso_log = predict_lasso(self.lasso, design)
        nn_scaled = self.net.predict(self.encoder.store_index(frame),
                                     self.encoder.product_index(frame),
                                     self.encoder.numeric(features))
        nn_log = nn_scaled * self.target_std + self.target_mean
        # guard against absurd extrapolation before exponentiating
        cap = np.log1p(10.0 * max(self.global_level, 1.0)
                       + 10.0 * np.nanmax(history.units, initial=0.0))
        lasso_units = np.expm1(np.clip(lasso_log, 0.0, cap))
        nn_units = np.expm1(np.clip(nn_log, 0.0, cap))
        return lasso_units, nn_units

    def predict(self, frame):
        """Ensemble prediction of units, >= 0, one per row of ``frame``."""
        if len(frame) == 0:
            return np.zeros(0)
        lasso_units, nn_units = self.member_predictions(
            frame.reset_index(drop=True))
        pred = self.weights[0] * lasso_units + self.weights[1] * nn_units
        return np.clip(self.calibration * pred, 0.0, None)

    # -- persistence ---------------------------------------------------
    def save(self, folder):
        os.makedirs(folder, exist_ok=True)
        seen = ~np.isnan(self.history.units)
        units = np.where(seen, self.history.units, 0.0)
        np.save(os.path.join(folder, HISTORY_UNITS), units.astype(np.float64),
                allow_pickle=False)
        np.save(os.path.join(folder, HISTORY_SEEN), seen.astype(np.float64),
                allow_pickle=False)
        np.save(os.path.join(folder, SERIES_LEVEL),
                self.series_level.astype(np.float64), allow_pickle=False)
        self.net.save(folder)
        doc = {
            "format": FORMAT,
            "package_version": __version__,
            "meta": self.meta,
            "target": "log1p(units)",
            "encoder": self.encoder.to_dict(),
            "history": {
                "series": self.history.series,
                "start_week_index": self.history.start,
                "weeks": self.history.n_weeks,
                "units_file": HISTORY_UNITS,
                "seen_file": HISTORY_SEEN,
                "series_level_file": SERIES_LEVEL,
            },
            "global_level": self.global_level,
            "lasso": {
                "alpha": self.lasso["alpha"],
                "columns": self.encoder.design_names(),
                "coef": self.lasso["coef"],
                "intercept": self.lasso["intercept"],
            },
            "nn": {
                "embedding_dim": int(self.net.emb_dim),
                "hidden": int(self.net.params["b1"].shape[0]),
                "target_mean": self.target_mean,
                "target_std": self.target_std,
                "files": ["nn_{}.npy".format(n) for n in
                          ("emb_store", "emb_product", "w1", "b1", "w2",
                           "b2")],
            },
            "ensemble": {"members": ["lasso", "nn"],
                         "weights": self.weights,
                         "calibration": self.calibration},
        }
        with open(os.path.join(folder, MODEL_FILE), "w") as f:
            json.dump(doc, f, indent=1, allow_nan=False)
            f.write("\n")

    @classmethod
    def load(cls, folder):
        path = os.path.join(folder, MODEL_FILE)
        with open(path) as f:
            doc = json.load(f)
        if doc.get("format") != FORMAT:
            raise ValueError("{} is not a {} model".format(MODEL_FILE,
                                                           FORMAT))
        hist = doc["history"]
        units = np.load(os.path.join(folder, hist["units_file"]),
                        allow_pickle=False)
        seen = np.load(os.path.join(folder, hist["seen_file"]),
                       allow_pickle=False)
        units = np.where(seen > 0.5, units, np.nan)
        history = History(hist["series"], hist["start_week_index"], units)
        level = np.load(os.path.join(folder, hist["series_level_file"]),
                        allow_pickle=False)
        lasso = {k: doc["lasso"][k] for k in ("alpha", "coef", "intercept")}
        return cls(Encoder.from_dict(doc["encoder"]), history, level,
                   doc["global_level"], lasso, EmbeddingNet.load(folder),
                   doc["nn"]["target_mean"], doc["nn"]["target_std"],
                   doc["ensemble"]["weights"], doc["meta"],
                   doc["ensemble"]["calibration"])
