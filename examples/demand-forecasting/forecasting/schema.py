"""Names shared by every module: regions, formats, the standardized CSV."""

REGIONS = (
    "north-east",
    "north-west",
    "south-east",
    "south-west",
    "mid-atlantic",
    "great-lakes",
    "central-plains",
    "gulf-coast",
    "mountain-west",
    "pacific-coast",
    "new-england",
    "ohio-valley",
    "deep-south",
    "high-desert",
)
STORE_FORMATS = ("large", "small")
SPEEDS = ("slow", "fast")
CATEGORIES = (
    "beverages",
    "snacks",
    "dairy",
    "frozen",
    "household",
    "personal-care",
)

# The standardized CSV written by forecasting.condition, column order fixed.
STANDARD_COLUMNS = (
    "store_id",
    "product_id",
    "week",
    "region",
    "store_format",
    "speed",
    "category",
    "units",
    "returns",
    "temperature",
    "precipitation",
    "holiday",
    "promotion",
    "median_income",
    "household_size",
    "urban_share",
)
KEY_COLUMNS = ("store_id", "product_id", "week")

FIRST_WEEK = "2017-01-02"
LAST_WEEK = "2024-12-30"


def cells():
    """All (region, store_format, speed) cells, one model each."""
    return [
        (region, store_format, speed)
        for region in REGIONS
        for store_format in STORE_FORMATS
        for speed in SPEEDS
    ]


def model_name(region, store_format, speed):
    """The MLOps model name of a cell, e.g. demand-north-east-large-fast."""
    return "demand-{}-{}-{}".format(region, store_format, speed)
