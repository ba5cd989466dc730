"""Forecast quality figures and the historical-average baseline."""

import numpy as np
import pandas as pd


def mape(actual, predicted):
    """Mean absolute percentage error over rows with actual > 0."""
    actual = np.asarray(actual, dtype=float)
    predicted = np.asarray(predicted, dtype=float)
    positive = actual > 0
    if not positive.any():
        return float("nan")
    err = np.abs(predicted[positive] - actual[positive]) / actual[positive]
    return float(np.mean(err))


def rmse_zero(actual, predicted):
    """Root mean squared error over rows with actual == 0."""
    actual = np.asarray(actual, dtype=float)
    predicted = np.asarray(predicted, dtype=float)
    zero = actual == 0
    if not zero.any():
        return float("nan")
    return float(np.sqrt(np.mean(predicted[zero] ** 2)))


def historical_average(train, score):
    """Baseline: mean training units per (store_id, product_id).

    Series unseen in training get the mean over all training rows."""
    means = train.groupby(["store_id", "product_id"])["units"].mean()
    keys = pd.MultiIndex.from_frame(score[["store_id", "product_id"]])
    pred = means.reindex(keys).values
    return np.where(np.isnan(pred), train["units"].mean(), pred)
