"""Walking a parsed fastkml document (importable from any test folder)."""

from __future__ import annotations

from collections.abc import Iterator


def placemarks(node) -> Iterator:
    """Every Placemark below `node`, through folders and documents."""
    for f in getattr(node, "features", []) or []:
        if type(f).__name__ == "Placemark":
            yield f
        else:
            yield from placemarks(f)
