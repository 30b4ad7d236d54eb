"""Range rings: each installation's named radii while deployed (rings.js)."""

from __future__ import annotations

from .base import GarrisonLayer


class RangeRingsLayer(GarrisonLayer):
    layer_type = "range_rings"
    js_module = "garrison/map/rings.js"
