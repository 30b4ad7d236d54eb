"""The Garrison map's folium elements, one module each (a Python class and its JS module in
static/garrison/map/): the map's attachment to the component, the layer types, the legend.

Their scripts call the `garrison` object that static/garrison/map/main.js hands to folium's
script (attach the map, create a layer, create the legend).
"""

from .attach import GarrisonAttach
from .installations import InstallationsLayer
from .legend import GarrisonLegend
from .range_rings import RangeRingsLayer
from .routes import RoutesLayer

#: layer type in layers/*.yaml -> its element
LAYER_ELEMENTS = {"installations": InstallationsLayer, "range_rings": RangeRingsLayer, "routes": RoutesLayer}

__all__ = ["LAYER_ELEMENTS", "GarrisonAttach", "GarrisonLegend", "InstallationsLayer", "RangeRingsLayer", "RoutesLayer"]
