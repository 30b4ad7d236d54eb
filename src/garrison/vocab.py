"""Closed vocabularies of the data model, in display order (codes are list positions)."""

from __future__ import annotations

KINDS: tuple[str, ...] = (
    "air_base", "naval_base", "army_base", "airfield", "port",
    "logistics_hub", "radar", "missile_site", "training_area", "other",
)
STATUSES: tuple[str, ...] = (
    "planned", "active", "reduced", "contested", "blockaded",
    "withdrawing", "abandoned", "seized", "destroyed",
)
CONFIDENCES: tuple[str, ...] = ("confirmed", "reported", "disputed")

STATUS_CODE = {s: i for i, s in enumerate(STATUSES)}
CONFIDENCE_CODE = {c: i for i, c in enumerate(CONFIDENCES)}
KIND_CODE = {k: i for i, k in enumerate(KINDS)}
