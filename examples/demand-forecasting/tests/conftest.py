"""Shared fixtures: a tiny generated world, conditioned once per session."""

import pytest

from forecasting.condition import condition
from forecasting.generate import generate

TINY = dict(seed=3, stores_per_cell=1, products_per_speed=2,
            first_week="2022-01-03", last_week="2024-06-24")


@pytest.fixture(scope="session")
def raw_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("raw")
    generate(str(folder), **TINY)
    return folder


@pytest.fixture(scope="session")
def standard(raw_dir):
    return condition(str(raw_dir))


@pytest.fixture(scope="session")
def cell(standard):
    """The rows of one cell (two series), as the tool would select them."""
    rows = standard[(standard["region"] == "north-east")
                    & (standard["store_format"] == "large")
                    & (standard["speed"] == "fast")]
    return rows.reset_index(drop=True)


@pytest.fixture(scope="session")
def split(cell):
    """(train, holdout) with the last 8 weeks held out."""
    weeks = sorted(cell["week"].unique())
    cutoff = weeks[-8]
    train = cell[cell["week"] < cutoff].reset_index(drop=True)
    test = cell[cell["week"] >= cutoff].reset_index(drop=True)
    return train, test
