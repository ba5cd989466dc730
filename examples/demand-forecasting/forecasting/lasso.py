"""Ensemble member (a): LASSO regression on log1p(units)."""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso

DEFAULT_ALPHA = 0.002


def fit_lasso(design, target, alpha=DEFAULT_ALPHA):
    """Fit scikit-learn's Lasso; return plain, JSON-able parameters.

    ``design`` is already standardized / one-hot (features.Encoder), the
    target is log1p(units).  The returned dict holds the coefficients, the
    intercept and the training loss next to the loss of the intercept-only
    model it started from."""
    design = np.asarray(design, dtype=float)
    target = np.asarray(target, dtype=float)
    model = Lasso(alpha=alpha, max_iter=20000, tol=1e-5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(design, target)
    params = {
        "alpha": float(alpha),
        "coef": [float(c) for c in model.coef_],
        "intercept": float(model.intercept_),
    }
    fitted = predict_lasso(params, design)
    params["train_mse"] = float(np.mean((fitted - target) ** 2))
    params["null_mse"] = float(np.mean((target - target.mean()) ** 2))
    params["nonzero"] = int(np.sum(np.abs(model.coef_) > 0))
    return params


def predict_lasso(params, design):
    """log1p(units) predicted by fitted parameters (no sklearn needed)."""
    coef = np.asarray(params["coef"], dtype=float)
    return np.asarray(design, dtype=float) @ coef + params["intercept"]
