"""The per-cell ensemble: LASSO + embedding network, saved without pickle.

Training holds out the last ``VALID_WEEKS`` weeks of the training rows as a
validation slice -- the same situation as scoring: features from the
history before it, 1..8 weeks ahead.  On that slice it picks the LASSO
penalty and the ensemble weights, then refits both members on all rows
and calibrates the blend on the last year of training rows.

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
from .features import (HISTORY_KEEP, YEARLY_FEATURES, Encoder, History,
                       build_features)
from .lasso import fit_lasso, predict_lasso
from .metrics import mape
from .nn import EmbeddingNet

FORMAT = "demand-forecasting-ensemble/1"
MODEL_FILE = "model.json"
HISTORY_UNITS = "history_units.npy"
HISTORY_SEEN = "history_seen.npy"
SERIES_LEVEL = "series_level.npy"

VALID_WEEKS = 8                # validation slice = last 8 training weeks
MIN_WEEKS_TO_VALIDATE = 24     # below this: fixed choices, no validation
MIN_WEEKS_FOR_SEASON = 60      # below this: yearly features switched off
ALPHA_GRID = (0.0005, 0.002, 0.008, 0.03, 0.1)
FALLBACK_ALPHA = 0.03
NN_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)
FALLBACK_NN_WEIGHT = 0.5
# Calibration: one multiplicative factor per cell minimizing MAPE (the
# business metric) -- log-space fits are biased low for intermittent demand.
CALIBRATION_WEEKS = 52
CALIBRATION_GRID = np.exp(np.linspace(np.log(0.5), np.log(2.5), 49))
# No forecast above this multiple of the largest weekly units in history.
CAP_FACTOR = 3.0


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


class _Prepared:
    """History, features and encodings of a set of training rows."""

    def __init__(self, frame, disabled):
        self.frame = frame.reset_index(drop=True)
        self.history = History.from_frame(self.frame)
        self.series_level = self.history.series_means()
        self.global_level = float(self.frame["units"].mean())
        self.disabled = tuple(disabled)
        self.features = build_features(self.frame, self.history,
                                       self.series_level, self.global_level,
                                       self.disabled)
        self.encoder = Encoder.fit(self.features, self.frame)
        self.design = self.encoder.design(self.features, self.frame)
        self.target = np.log1p(self.frame["units"].values.astype(float))
        self.target_mean = float(self.target.mean())
        std = float(self.target.std())
        self.target_std = std if std > 1e-9 else 1.0

    def fit_net(self, epochs, seed):
        net = EmbeddingNet(len(self.encoder.stores),
                           len(self.encoder.products),
                           len(self.encoder.means), seed=seed)
        scaled = (self.target - self.target_mean) / self.target_std
        losses = net.fit(self.encoder.store_index(self.frame),
                         self.encoder.product_index(self.frame),
                         self.encoder.numeric(self.features), scaled,
                         epochs, seed=seed)
        return net, losses

    def model(self, lasso, net, weights=(0.5, 0.5), calibration=1.0,
              meta=None):
        return CellModel(self.encoder, self.history.tail(HISTORY_KEEP),
                         self.series_level, self.global_level, lasso, net,
                         self.target_mean, self.target_std, weights,
                         meta or {}, calibration, self.disabled)


def _validate(frame, weeks, epochs, seed, disabled):
    """Choose (alpha, nn weight, calibration) on the last VALID_WEEKS."""
    cutoff = weeks[-VALID_WEEKS]
    prep = _Prepared(frame[frame["week"] < cutoff], disabled)
    valid = frame[frame["week"] >= cutoff].reset_index(drop=True)
    actual = valid["units"].values.astype(float)
    net, _ = prep.fit_net(epochs, seed)
    best = None
    for alpha in ALPHA_GRID:
        model = prep.model(fit_lasso(prep.design, prep.target, alpha), net)
        lasso_units, nn_units = model.member_predictions(valid)
        err = np.mean((np.log1p(lasso_units) - np.log1p(actual)) ** 2)
        if best is None or err < best[0]:
            best = (err, alpha, lasso_units, nn_units)
    _, alpha, lasso_units, nn_units = best
    choice = None
    for w in NN_WEIGHTS:
        blend = (1.0 - w) * lasso_units + w * nn_units
        k = calibration_factor(actual, blend)
        err = mape(actual, k * blend)
        err = 0.0 if err != err else err  # no positive actuals
        if choice is None or err < choice[0] - 1e-12:
            choice = (err, w, k)
    err, w, k = choice
    return {"alpha": alpha, "nn_weight": w, "calibration": k,
            "valid_mape": err, "valid_rows": len(valid)}


class CellModel:
    def __init__(self, encoder, history, series_level, global_level,
                 lasso, net, target_mean, target_std, weights, meta,
                 calibration=1.0, disabled=()):
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
        self.disabled = tuple(disabled)

    # -- training ------------------------------------------------------
    @classmethod
    def fit(cls, frame, epochs=40, seed=0, meta=None):
        """Fit the ensemble on the rows of one cell (with ``units``).

        Returns (model, metrics) where metrics is a flat dict of floats."""
        started = time.time()
        frame = frame.sort_values(["week", "store_id", "product_id"])
        frame = frame.reset_index(drop=True)
        weeks = sorted(frame["week"].unique())
        disabled = YEARLY_FEATURES if len(weeks) < MIN_WEEKS_FOR_SEASON \
            else ()
        validated = len(weeks) >= MIN_WEEKS_TO_VALIDATE
        if validated:
            choice = _validate(frame, weeks, epochs, seed, disabled)
        else:
            choice = {"alpha": FALLBACK_ALPHA,
                      "nn_weight": FALLBACK_NN_WEIGHT}
        prep = _Prepared(frame, disabled)
        lasso = fit_lasso(prep.design, prep.target, choice["alpha"])
        net, losses = prep.fit_net(epochs, seed)
        info = dict(meta or {})
        info.update({
            "epochs": int(epochs),
            "seed": int(seed),
            "train_rows": int(len(frame)),
            "train_first_week": str(weeks[0]),
            "train_last_week": str(weeks[-1]),
            "validated": bool(validated),
        })
        w = choice["nn_weight"]
        model = prep.model(lasso, net, [1.0 - w, w], 1.0, info)
        # the factor is chosen on the final model's recent training rows:
        # more rows than the validation slice, so a steadier estimate
        recent = frame[frame["week"] >= weeks[-min(CALIBRATION_WEEKS,
                                                   len(weeks))]]
        model.calibration = calibration_factor(recent["units"].values,
                                               model.predict(recent))
        fitted = model.predict(frame)
        actual = frame["units"].values.astype(float)
        metrics = {
            "train_rows": float(len(frame)),
            "train_series": float(len(prep.history.series)),
            "lasso_alpha": float(choice["alpha"]),
            "lasso_train_mse": lasso["train_mse"],
            "lasso_null_mse": lasso["null_mse"],
            "lasso_nonzero_coefs": float(lasso["nonzero"]),
            "nn_loss_initial": float(losses[0]),
            "nn_loss_final": float(losses[-1]),
            "nn_weight": float(w),
            "calibration": model.calibration,
            "train_mape": mape(actual, fitted),
            "fit_seconds": round(time.time() - started, 3),
        }
        if validated:
            metrics["valid_mape"] = float(choice["valid_mape"])
            metrics["valid_rows"] = float(choice["valid_rows"])
        return model, metrics

    # -- scoring -------------------------------------------------------
    def member_predictions(self, frame):
        """Units predicted by (lasso, nn), each clipped to >= 0."""
        frame = frame.reset_index(drop=True)
        features = build_features(frame, self.history, self.series_level,
                                  self.global_level, self.disabled)
        design = self.encoder.design(features, frame)
        lasso_log = predict_lasso(self.lasso, design)
        nn_scaled = self.net.predict(self.encoder.store_index(frame),
                                     self.encoder.product_index(frame),
                                     self.encoder.numeric(features))
        nn_log = nn_scaled * self.target_std + self.target_mean
        peak = max(np.nanmax(self.history.units, initial=0.0),
                   self.global_level, 1.0)
        cap = np.log1p(CAP_FACTOR * peak)
        lasso_units = np.expm1(np.clip(lasso_log, 0.0, cap))
        nn_units = np.expm1(np.clip(nn_log, 0.0, cap))
        return lasso_units, nn_units

    def predict(self, frame):
        """Ensemble prediction of units, >= 0, one per row of ``frame``."""
        if len(frame) == 0:
            return np.zeros(0)
        lasso_units, nn_units = self.member_predictions(frame)
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
            "disabled_features": list(self.disabled),
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
                   doc["ensemble"]["calibration"],
                   doc["disabled_features"])
