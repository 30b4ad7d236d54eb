"""Supply routes: legs between installations, broken where a node is lost (routes.js)."""

from __future__ import annotations

from .base import GarrisonLayer


class RoutesLayer(GarrisonLayer):
    layer_type = "routes"
    js_module = "garrison/map/routes.js"
