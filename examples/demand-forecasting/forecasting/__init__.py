"""Weekly demand forecasting per (region, store format, product speed)."""

__version__ = "1.0.0"
