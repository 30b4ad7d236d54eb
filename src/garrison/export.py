"""Exports: GeoJSON (RFC 7946), CSV and KML, for one date or the full history.

KML uses TimeSpan so Google Earth's time slider replays the history.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from numbers import Number

from .checks import check_url
from .dataset import Dataset
from .dates import iso
from .timeline import DateLike

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
KML_NS = "http://www.opengis.net/kml/2.2"
ET.register_namespace("", KML_NS)
#: Google Earth's stock white circle, tinted per operator (Google Earth ships its stock icons).
GE_ICON = "https://maps.google.com/mapfiles/kml/shapes/placemark_circle.png"


def state_features(ds: Dataset, date: DateLike) -> dict:
    """A FeatureCollection with one Point per installation that has a record at `date`."""
    frame = ds.state_at(date)
    feats = []
    for row in frame.itertuples(index=False):
        props = row._asdict()
        lon, lat = props.pop("lon"), props.pop("lat")
        props["sources"] = list(props["sources"])
        feats.append({"type": "Feature", "id": props["id"], "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props})
    return {"type": "FeatureCollection", "features": feats}


def history_features(ds: Dataset) -> dict:
    """A FeatureCollection with one Point feature per period, carrying `start` and `end`."""
    pt, feats = ds.periods, []
    for i, rec in enumerate(ds.records):
        for row in range(pt.offsets[i], pt.offsets[i + 1]):
            d = pt.describe(row)
            props = {"id": rec.id, "name": rec.name, "kind": rec.kind, "country": rec.country,
                     "start": d["start"], "end": d["end"] or None, "since": d["since"],
                     "operator": d["operator"], "operator_name": ds.actor_name(d["operator"]),
                     "status": d["status"], "territory": d["territory"],
                     "territory_name": ds.actor_name(d["territory"]), "confidence": d["confidence"],
                     "sources": d["sources"], "note": d["note"]}
            feats.append({"type": "Feature", "id": f"{rec.id}/{row - pt.offsets[i]}",
                          "geometry": {"type": "Point", "coordinates": [rec.lon, rec.lat]}, "properties": props})
    return {"type": "FeatureCollection", "features": feats}


def to_geojson(collection: dict) -> str:
    return json.dumps(collection, ensure_ascii=False, indent=1)


def _cell(value) -> str:
    """CSV cell; lists joined by ';' and text that a spreadsheet would run as a formula defused.

    Numbers are written as numbers: quoting `-7.94` would make GDAL, QGIS and pandas read the
    coordinate as text and drop the point. Only text can carry a formula.
    """
    if value is None:
        return ""
    if isinstance(value, Number) and not isinstance(value, bool):
        return repr(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, (list, tuple)):
        value = ";".join(map(str, value))
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(rows: Iterable[dict], columns: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return buf.getvalue()


def state_csv(ds: Dataset, date: DateLike) -> str:
    frame = ds.state_at(date)
    return to_csv(frame.to_dict("records"), list(frame.columns))


def history_csv(ds: Dataset) -> str:
    feats = history_features(ds)["features"]
    rows = [{**f["properties"], "lon": f["geometry"]["coordinates"][0], "lat": f["geometry"]["coordinates"][1]} for f in feats]
    cols = ["id", "name", "kind", "country", "lat", "lon", "start", "end", "since", "operator", "operator_name",
            "status", "territory", "territory_name", "confidence", "sources", "note"]
    return to_csv(rows, cols)


def _kml_colour(hex_rgb: str) -> str:
    """#rrggbb -> KML's aabbggrr."""
    r, g, b = hex_rgb[1:3], hex_rgb[3:5], hex_rgb[5:7]
    return f"ff{b}{g}{r}"


def _xml_id(*parts: str) -> str:
    """A valid xs:ID (an NCName): ids and dates are letters, digits, '-' and '.' only; a letter first."""
    return "g." + ".".join(re.sub(r"[^A-Za-z0-9_.-]", "_", p) for p in parts)


def _describe(ds: Dataset, props: dict) -> str:
    """The balloon's HTML: status, operator, territory, confidence and each source as a link.

    Every data string is HTML-escaped here; the XML writer escapes the whole once more, as KML
    carries HTML inside a text element.
    """
    h = html.escape
    lines = [f"<b>{h(props['status'])}</b>, operator: {h(ds.actor_name(props['operator']) or '')}"]
    if props.get("territory"):
        lines.append(f"territory: {h(ds.actor_name(props['territory']) or '')}")
    lines.append(f"confidence: {h(props['confidence'])}; since {h(props['since'])}")
    for sid in props["sources"]:
        src = ds.sources.get(sid)
        if src:
            cite = f"{h(src.publisher)}: {h(src.title)}"
            if check_url(src.url) is None:  # a source whose URL is broken is named, not linked
                cite = f'<a href="{h(src.url)}">{cite}</a>'
            lines.append(f'{cite} ({h(src.date or "n.d.")})')
    if props.get("note"):
        lines.append(h(props["note"]))
    return "<br/>".join(lines)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{KML_NS}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def _style(doc: ET.Element, actor_id: str, colour: str) -> None:
    style = _sub(doc, "Style", id=_xml_id("op", actor_id))
    icon_style = _sub(style, "IconStyle")
    _sub(icon_style, "color", _kml_colour(colour))
    _sub(_sub(icon_style, "Icon"), "href", GE_ICON)
    _sub(_sub(style, "LabelStyle"), "scale", "0.8")


def _placemarks(ds: Dataset, date: DateLike | None):
    """(placemark id, properties, (begin, end) texts or None, lon, lat) for each feature.

    The history's spans keep the data's own precision ('2015', '2015-09', '2015-09-30' are
    KML's gYear, gYearMonth and date); an implied end is the next period's start as written.
    """
    if date is not None:
        for f in state_features(ds, date)["features"]:
            lon, lat = f["geometry"]["coordinates"]
            yield _xml_id(f["id"]), f["properties"], None, lon, lat
        return
    pt = ds.periods
    for i, rec in enumerate(ds.records):
        for k, period in enumerate(rec.history):
            props = {"id": rec.id, "name": rec.name, **pt.describe(pt.offsets[i] + k)}
            nxt = rec.history[k + 1].start.text if k + 1 < len(rec.history) else None
            end = period.end.text if period.end is not None else nxt
            yield _xml_id(rec.id, period.start.text), props, (period.start.text, end), rec.lon, rec.lat


def to_kml(ds: Dataset, date: DateLike | None = None) -> str:
    """KML 2.2 (valid against OGC's schema) of the state at `date`, or of the full history with a TimeSpan per period."""
    root = ET.Element(f"{{{KML_NS}}}kml")
    doc = _sub(root, "Document", id="garrison")
    _sub(doc, "name", "Garrison" + (f" at {iso(int(ds.periods.state_at(date).day))}" if date is not None else " history"))
    for actor in ds.actors.values():
        _style(doc, actor.id, actor.colour)
    for pm_id, p, span, lon, lat in _placemarks(ds, date):
        pm = _sub(doc, "Placemark", id=pm_id)
        _sub(pm, "name", p["name"])
        _sub(pm, "description", _describe(ds, p))
        if span is not None:
            ts = _sub(pm, "TimeSpan")
            _sub(ts, "begin", span[0])
            if span[1]:
                _sub(ts, "end", span[1])
        if p["operator"] in ds.actors:
            _sub(pm, "styleUrl", "#" + _xml_id("op", p["operator"]))
        ext = _sub(pm, "ExtendedData")
        for key in ("id", "status", "operator", "territory", "confidence"):
            _sub(_sub(ext, "Data", name=key), "value", p.get(key) or "")
        _sub(_sub(pm, "Point"), "coordinates", f"{lon!r},{lat!r}")
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
