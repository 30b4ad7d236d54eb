"""Installations: a marker per installation, painted from the vocabulary's looks (installations.js)."""

from __future__ import annotations

from ..layers import LayerDef
from .base import GarrisonLayer


class InstallationsLayer(GarrisonLayer):
    layer_type = "installations"
    js_module = "garrison/map/installations.js"

    def options(self, d: LayerDef) -> dict:
        return {**super().options(d), "size": d.style.get("size", 18)}
