"""Exports: GeoJSON (RFC 7946), CSV, KML, GeoPackage and GeoParquet, for one date or the full history.

KML uses TimeSpan so Google Earth's time slider replays the history. A history feature's stable id
is ``<installation id>@<from as written>`` (``tartus@2024-12``): the GeoJSON feature id, and the
``period_id`` column below. An ongoing period's end is null everywhere.

GeoPackage (layer ``periods``) and GeoParquet carry the same table: one row per period (with a
date: the period each installation is in on that day), a Point in EPSG:4326, and these columns:

- ``period_id`` (text): ``<id>@<from_text>``, unique.
- ``id``, ``name``, ``kind``, ``country`` (text): the installation.
- ``from_text`` (text): the period's ``from`` exactly as written ('2016', '2024-12', '2024-12-08').
- ``to_text`` (text): its ``to`` as written, or else the next period's ``from`` as written (where
  it ends); null while ongoing.
- ``from_date`` (date): the first day the period covers (a partial date starts on its first day).
- ``to_date`` (date): the day it ends, exclusive: the first day of ``to_text``, so ``to: '2024-12'``
  is 2024-12-01 (data/README.md); null while ongoing.
- ``last_date`` (date): the last day it covers, ``to_date`` minus one day; null while ongoing.
- ``operator``, ``operator_name``, ``status``, ``territory``, ``territory_name``, ``confidence``
  (text), ``sources`` (text, ids joined by ';'), ``note`` (text).
- ``checked`` (text): the day the installation's record was last verified ('YYYY-MM-DD'), or null;
  ``position`` (text): ``exact`` or ``approximate`` (null where not given); ``position_km`` (real):
  the radius of uncertainty of an approximate position, else null.
- ``disputed`` (boolean): whether sources make conflicting claims about the period (it has ``claims``).

The full-history GeoJSON and CSV have one row per period: ``start`` and ``end`` (its first day and
the day it ends, exclusive: 'YYYY-MM-DD', null while ongoing) and ``since`` and ``until`` (the
same two dates as written, at their own precision, like ``from_text`` and ``to_text``).

Every other export carries ``checked``, ``position`` and ``position_km`` with each installation too
(GeoJSON properties, CSV columns, KML ExtendedData), and the full-history ones ``disputed`` per period.

Periods are half-open, so the installations on day D are
``from_date <= D AND (to_date IS NULL OR to_date > D)``, the same as
``from_date <= D AND (last_date IS NULL OR last_date >= D)``, with D written 'YYYY-MM-DD' (in the
GeoPackage's own SQL, GDAL's default for it, or a `where` filter; GDAL's OGRSQL dialect does not
compare a DATE with a literal). Dates are GeoPackage DATE and Parquet date32; the text columns keep
the precision the dates do not.
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

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyogrio

from .checks import check_url
from .dataset import Dataset
from .dates import OPEN_END, from_day, iso
from .i18n import DEFAULT as DEFAULT_LANG
from .i18n import Messages, messages
from .model import Installation
from .timeline import DateLike
from .vocab import KIND_LOOKS, SHAPES, STATUS_LOOKS

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
KML_NS = "http://www.opengis.net/kml/2.2"
ET.register_namespace("", KML_NS)
#: Google Earth ships its stock icons (white, tinted per style).
GE_ICONS = "https://maps.google.com/mapfiles/kml/shapes/"
#: vocab.yaml's marker shapes as Google Earth's own icons: (filled, hollow for outline paint, heading
#: in degrees). A shape Google Earth has no stock icon for gets the stock icon of the kind it stands
#: for (a runway: airports, a radome: target, an hourglass: the depots' truck), so that in Google
#: Earth too each kind keeps an icon of its own.
KML_ICONS = {"circle": ("placemark_circle.png", "donut.png", 0), "square": ("placemark_square.png", "square.png", 0),
             "diamond": ("open-diamond.png", "open-diamond.png", 0), "triangle": ("triangle.png", "triangle.png", 0),
             "triangle_down": ("triangle.png", "triangle.png", 180), "bar": ("airports.png", "airports.png", 0),
             "dome": ("target.png", "target.png", 0), "hourglass": ("truck.png", "truck.png", 0),
             "hexagon": ("polygon.png", "polygon.png", 0), "pentagon": ("polygon.png", "polygon.png", 0),
             "star": ("star.png", "star.png", 0), "cross": ("cross-hairs.png", "cross-hairs.png", 0)}
#: The GeoPackage/GeoParquet table's columns (the geometry follows), described in the module docstring.
PERIOD_COLUMNS = [
    "period_id", "id", "name", "kind", "country", "from_text", "to_text", "from_date", "to_date", "last_date",
    "operator", "operator_name", "status", "territory", "territory_name", "confidence", "sources", "note",
    "checked", "position", "position_km", "disputed",
]
DATE_COLUMNS = ("from_date", "to_date", "last_date")
#: Columns of the period table that are not text (beside the dates): their pandas dtypes.
TYPED_COLUMNS = {"position_km": "Float64", "disputed": "boolean"}
#: What every export says about an installation beside its place and names (issue 10).
INSTALLATION_COLUMNS = ["checked", "position", "position_km"]
GPKG_LAYER = "periods"


def period_id(inst_id: str, from_text: str) -> str:
    """A period's stable id: `from` is unique within an installation (the loader requires it to increase)."""
    return f"{inst_id}@{from_text}"


def in_language(ds: Dataset, props: dict, lang: str | None) -> dict:
    """The row's names in `lang` (installation, operator, territory), where the data has them;
    ids, codes and column names stay as they are, so files in every language join."""
    if not lang or lang == DEFAULT_LANG:
        return props
    out = dict(props)
    out["name"] = ds.name_of(props["id"], lang)
    for key in ("operator", "territory"):
        if f"{key}_name" in out:
            out[f"{key}_name"] = ds.actor_name(props.get(key), lang)
    return out


def installation_props(rec: Installation) -> dict:
    """The record's own facts for an export row: when it was checked and how precise its position is."""
    return {"checked": rec.checked.text if rec.checked else None, "position": rec.position,
            "position_km": rec.position_km}


def state_frame(ds: Dataset, date: DateLike, keep: np.ndarray | None = None) -> pd.DataFrame:
    """`ds.state_at(date)`, less the installations whose current period `keep` (a boolean per
    period row, e.g. the map's filters: render/mapstate.py `kept_rows`) leaves out."""
    frame = ds.state_at(date)
    if keep is None:
        return frame
    return frame[keep[ds.periods.state_at(date).period]].reset_index(drop=True)


def state_features(ds: Dataset, date: DateLike, keep: np.ndarray | None = None, *, lang: str | None = None) -> dict:
    """A FeatureCollection with one Point per installation that has a record at `date` (and that
    `keep` keeps), names in `lang`."""
    frame = state_frame(ds, date, keep)
    feats = []
    for row in frame.itertuples(index=False):
        props = row._asdict()
        lon, lat = props.pop("lon"), props.pop("lat")
        props["sources"] = list(props["sources"])
        props = in_language(ds, props | installation_props(ds.records[ds.index[props["id"]]]), lang)
        feats.append({"type": "Feature", "id": props["id"], "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props})
    return {"type": "FeatureCollection", "features": feats}


def history_features(ds: Dataset, keep: np.ndarray | None = None, *, lang: str | None = None) -> dict:
    """A FeatureCollection with one Point feature per period (that `keep` keeps), names in `lang`.

    `start` and `end` are the days it begins and ends (ISO, end exclusive); `since` and `until`
    are the same dates as written, at their own precision ('1971' until '1992').
    """
    pt, feats = ds.periods, []
    for i, rec in enumerate(ds.records):
        for row in range(pt.offsets[i], pt.offsets[i + 1]):
            if keep is not None and not keep[row]:
                continue
            d = pt.describe(row)
            props = {"id": rec.id, "name": rec.name, "kind": rec.kind, "country": rec.country,
                     "start": d["start"], "end": d["end"] or None, "since": d["since"], "until": d["until"],
                     "operator": d["operator"], "operator_name": ds.actor_name(d["operator"]),
                     "status": d["status"], "territory": d["territory"],
                     "territory_name": ds.actor_name(d["territory"]), "confidence": d["confidence"],
                     "sources": d["sources"], "note": d["note"], **installation_props(rec),
                     "disputed": rec.history[row - pt.offsets[i]].disputed}
            props = in_language(ds, props, lang)
            feats.append({"type": "Feature", "id": period_id(rec.id, d["since"]),
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
    if isinstance(value, bool):
        return "true" if value else "false"
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


def state_csv(ds: Dataset, date: DateLike, keep: np.ndarray | None = None, *, lang: str | None = None) -> str:
    frame = state_frame(ds, date, keep)
    rows = [in_language(ds, {**r, **installation_props(ds.records[ds.index[r["id"]]])}, lang) for r in frame.to_dict("records")]
    return to_csv(rows, [*frame.columns, *INSTALLATION_COLUMNS])


def history_csv(ds: Dataset, keep: np.ndarray | None = None, *, lang: str | None = None) -> str:
    feats = history_features(ds, keep, lang=lang)["features"]
    rows = [{**f["properties"], "lon": f["geometry"]["coordinates"][0], "lat": f["geometry"]["coordinates"][1]} for f in feats]
    cols = ["id", "name", "kind", "country", "lat", "lon", "start", "end", "since", "until", "operator", "operator_name",
            "status", "territory", "territory_name", "confidence", "sources", "note", *INSTALLATION_COLUMNS, "disputed"]
    return to_csv(rows, cols)


def _kml_colour(hex_rgb: str) -> str:
    """#rrggbb -> KML's aabbggrr."""
    r, g, b = hex_rgb[1:3], hex_rgb[3:5], hex_rgb[5:7]
    return f"ff{b}{g}{r}"


def _xml_id(*parts: str) -> str:
    """A valid xs:ID (an NCName): ids and dates are letters, digits, '-' and '.' only; a letter first."""
    return "g." + ".".join(re.sub(r"[^A-Za-z0-9_.-]", "_", p) for p in parts)


def _describe(ds: Dataset, props: dict, m: Messages) -> str:
    """The balloon's HTML: status, operator, territory, confidence and each source as a link, in
    the language of `m`.

    Every data string is HTML-escaped here; the XML writer escapes the whole once more, as KML
    carries HTML inside a text element.
    """
    h, lang = html.escape, m.lang
    lines = [f"<b>{h(m.term('status', props['status']))}</b>, "
             + h(m.gettext("operator: {name}").format(name=ds.actor_name(props["operator"], lang) or ""))]
    if props.get("territory"):
        lines.append(h(m.gettext("territory: {name}").format(name=ds.actor_name(props["territory"], lang) or "")))
    lines.append(h(m.gettext("confidence: {confidence}; since {date}").format(
        confidence=m.term("confidence", props["confidence"]), date=m.date(props["since"]))))
    for sid in props["sources"]:
        src = ds.sources.get(sid)
        if src:
            cite = f"{h(src.publisher)}: {h(src.title)}"
            if check_url(src.url) is None:  # a source whose URL is broken is named, not linked
                cite = f'<a href="{h(src.url)}">{cite}</a>'
            when = m.date(src.date) if src.date else m.gettext("n.d.")  # i18n: no date (of a source)
            lines.append(f"{cite} ({h(when)})")
    if props.get("note"):
        lines.append(h(props["note"]))
    return "<br/>".join(lines)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{KML_NS}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def style_id(operator: str, kind: str, status: str) -> str:
    return _xml_id("st", operator, kind, status)


def _style(doc: ET.Element, ds: Dataset, operator: str, kind: str, status: str) -> None:
    """A KML Style with the map's look (vocab.yaml): the kind's shape, the status's colour rule,
    paint and size, the operator's colour."""
    k, st = KIND_LOOKS[kind], STATUS_LOOKS[status]
    colour = ds.actors[operator].colour if st["colour"] == "operator" else st["colour"]
    filled, hollow, heading = KML_ICONS[k["shape"]]
    style = _sub(doc, "Style", id=style_id(operator, kind, status))
    icon_style = _sub(style, "IconStyle")
    _sub(icon_style, "color", _kml_colour(colour))
    _sub(icon_style, "scale", f"{k['scale'] * st['scale']:g}")
    if heading:
        _sub(icon_style, "heading", str(heading))  # KML's order: color, scale, heading, Icon
    _sub(_sub(icon_style, "Icon"), "href", GE_ICONS + (hollow if st["paint"] == "outline" else filled))
    _sub(_sub(style, "LabelStyle"), "scale", "0.8")


def _placemarks(ds: Dataset, date: DateLike | None, keep: np.ndarray | None = None, lang: str | None = None):
    """(placemark id, properties, (begin, end) texts or None, lon, lat) for each feature.

    The history's spans keep the data's own precision ('2015', '2015-09', '2015-09-30' are
    KML's gYear, gYearMonth and date); an implied end is the next period's start as written.
    """
    if date is not None:
        for f in state_features(ds, date, keep, lang=lang)["features"]:
            lon, lat = f["geometry"]["coordinates"]
            yield _xml_id(f["id"]), f["properties"], None, lon, lat
        return
    pt = ds.periods
    for i, rec in enumerate(ds.records):
        for k in range(len(rec.history)):
            if keep is not None and not keep[pt.offsets[i] + k]:
                continue
            props = in_language(ds, {"id": rec.id, "name": rec.name, **pt.describe(pt.offsets[i] + k),
                                     **installation_props(rec), "disputed": rec.history[k].disputed}, lang)
            yield _xml_id(rec.id, props["since"]), props, (props["since"], props["until"]), rec.lon, rec.lat


def _kml_value(value) -> str:
    """An ExtendedData value: text as is, numbers as written, booleans as true/false, nothing as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value:g}" if isinstance(value, float) else str(value)


def to_kml(ds: Dataset, date: DateLike | None = None, keep: np.ndarray | None = None, *, lang: str | None = None) -> str:
    """KML 2.2 (valid against OGC's schema) of the state at `date`, or of the full history with a
    TimeSpan per period; `keep` (a boolean per period row) leaves periods out, as in state_frame;
    names and the balloons' words in `lang` (the data keys stay English)."""
    m = messages(lang or DEFAULT_LANG)
    root = ET.Element(f"{{{KML_NS}}}kml")
    doc = _sub(root, "Document", id="garrison")
    title = (m.gettext("Garrison at {date}").format(date=m.date(iso(int(ds.periods.state_at(date).day))))
             if date is not None else m.gettext("Garrison history"))
    _sub(doc, "name", title)
    placemarks = list(_placemarks(ds, date, keep, lang))
    kind_of = {r.id: r.kind for r in ds.records}
    looks = {(p["operator"], kind_of[p["id"]], p["status"]) for _, p, _, _, _ in placemarks if p["operator"] in ds.actors}
    for look in sorted(looks):  # a style per look in use, before the placemarks (KML's order)
        _style(doc, ds, *look)
    for pm_id, p, span, lon, lat in placemarks:
        pm = _sub(doc, "Placemark", id=pm_id)
        _sub(pm, "name", p["name"])
        _sub(pm, "description", _describe(ds, p, m))
        if span is not None:
            ts = _sub(pm, "TimeSpan")
            _sub(ts, "begin", span[0])
            if span[1]:
                _sub(ts, "end", span[1])
        if p["operator"] in ds.actors:
            _sub(pm, "styleUrl", "#" + style_id(p["operator"], kind_of[p["id"]], p["status"]))
        ext = _sub(pm, "ExtendedData")
        for key in ("id", "status", "operator", "territory", "confidence", *INSTALLATION_COLUMNS, "disputed"):
            if key in p:
                _sub(_sub(ext, "Data", name=key), "value", _kml_value(p[key]))
        _sub(_sub(pm, "Point"), "coordinates", f"{lon!r},{lat!r}")
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


#: The text exports: what `garrison export --format` writes as text, and the page downloads.
TEXT_FORMATS = ("geojson", "csv", "kml")


def export_text(ds: Dataset, fmt: str, date: DateLike | None = None, keep: np.ndarray | None = None,
                *, lang: str | None = None) -> str:
    """The file `garrison export --format fmt [--date D] [--lang L]` writes (ending in a newline):
    the state on `date`, or the full history; `keep` (a boolean per period row) filters as the map
    does; names in `lang`."""
    if fmt == "kml":
        out = to_kml(ds, date, keep, lang=lang)
    elif fmt == "csv":
        out = state_csv(ds, date, keep, lang=lang) if date is not None else history_csv(ds, keep, lang=lang)
    elif fmt == "geojson":
        out = to_geojson(state_features(ds, date, keep, lang=lang) if date is not None
                         else history_features(ds, keep, lang=lang))
    else:
        raise ValueError(f"not a text export: {fmt!r}")
    return out if out.endswith("\n") else out + "\n"


def _period_row(ds: Dataset, row: int) -> dict:
    """One period-table row (PERIOD_COLUMNS plus lon/lat) from period row `row`."""
    pt = ds.periods
    i = int(pt.inst[row])
    rec, d, end = ds.records[i], pt.describe(row), int(pt.end[row])
    from_text, to_text = d["since"], d["until"]
    ongoing = end >= OPEN_END
    return {
        "period_id": period_id(rec.id, from_text), "id": rec.id, "name": rec.name, "kind": rec.kind,
        "country": rec.country, "from_text": from_text, "to_text": to_text,
        # the period table's own resolved days: the dates mean exactly what state_at answers
        "from_date": from_day(int(pt.start[row])), "to_date": None if ongoing else from_day(end),
        "last_date": None if ongoing else from_day(end - 1),
        "operator": d["operator"], "operator_name": ds.actor_name(d["operator"]), "status": d["status"],
        "territory": d["territory"], "territory_name": ds.actor_name(d["territory"]),
        "confidence": d["confidence"], "sources": ";".join(d["sources"]), "note": d["note"],
        **installation_props(rec), "disputed": rec.history[row - int(pt.offsets[i])].disputed,
        "lon": rec.lon, "lat": rec.lat,
    }


def period_table(ds: Dataset, date: DateLike | None = None, keep: np.ndarray | None = None,
                 *, lang: str | None = None) -> gpd.GeoDataFrame:
    """The GeoPackage/GeoParquet table: every period, or each installation's period at `date`
    (those `keep` keeps), names in `lang`."""
    rows = ds.periods.state_at(date).period if date is not None else np.arange(len(ds.periods))
    if keep is not None:
        rows = rows[keep[rows]]
    recs = [in_language(ds, _period_row(ds, int(r)), lang) for r in rows]
    # Explicit dtypes, so an empty table or an all-null column keeps its type: date32 becomes a
    # GeoPackage DATE and a Parquet date32 (a column of None alone would be typeless).
    cols = {c: pd.array([r[c] for r in recs], dtype=pd.ArrowDtype(pa.date32()) if c in DATE_COLUMNS
                        else TYPED_COLUMNS.get(c, "str"))
            for c in PERIOD_COLUMNS}
    points = gpd.points_from_xy([r["lon"] for r in recs], [r["lat"] for r in recs])
    return gpd.GeoDataFrame(cols, geometry=points, crs="EPSG:4326")


def to_gpkg(table: gpd.GeoDataFrame) -> bytes:
    """A GeoPackage (one Point layer, GPKG_LAYER) of `table`, as bytes.

    Built in memory, so the CLI writes it like any other export (a bad path is exit 2) and an
    existing file is replaced, where GDAL would refuse it or add a layer to it.
    """
    buf = io.BytesIO()
    # use_arrow: pyogrio's other path (and GeoDataFrame.to_file's default) writes dates as TEXT.
    pyogrio.write_dataframe(table, buf, layer=GPKG_LAYER, driver="GPKG", geometry_type="Point", use_arrow=True)
    return buf.getvalue()


def to_parquet(table: gpd.GeoDataFrame) -> bytes:
    """GeoParquet (WKB points, CRS in the `geo` metadata) of `table`, built in memory."""
    buf = io.BytesIO()
    table.to_parquet(buf, index=False)
    return buf.getvalue()

assert set(KML_ICONS) == set(SHAPES), "every shape vocab.yaml may use needs its KML icon"
