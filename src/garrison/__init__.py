"""Garrison: military installations and who holds them, over time.

The core library (no Streamlit): load and validate the data folder, query it by date, export it.
"""

from .dataset import Dataset
from .dates import PartialDate, parse_partial
from .loader import Loader, default_data_dir, load
from .problems import Problem, StrictLoadError
from .vocab import CONFIDENCES, KINDS, STATUSES

__all__ = [
    "CONFIDENCES", "KINDS", "STATUSES", "Dataset", "Loader", "PartialDate", "Problem",
    "StrictLoadError", "default_data_dir", "load", "parse_partial",
]
