"""The map's definition (folium elements rendered into the map component's parts), the view's
data for the component (rules decided in Python), the binary payload, and the layer files."""

from __future__ import annotations

import gzip
import html
import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest

import garrison
from garrison.basemap.guard import find_online_resources
from garrison.dates import OPEN_END, to_day
from garrison.render.elements import LAYER_ELEMENTS
from garrison.render.layers import LAYER_TYPES, load_layers
from garrison.render.mapstate import bitmask, filter_masks, map_data, masks_for, shown_at
from garrison.render.mapview import build_map, component_parts
from garrison.render.payload import KEEP_FILES, build_payload, decode_payload, encode_payload, write_payload
from garrison.ui.permalink import View

# paths defined here, not imported from conftest (tests/browser/conftest.py shadows that module name)
ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "tests" / "fixtures" / "good"
BUNDLED = ROOT / "data"

URL = "/app/static/generated/garrison-0123456789abcdef0123.bin"
FIXTURES_HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
HOSTILE = "</script><script>alert(1)</script><!-- & \u2028\u2029 > <"


def _tags(page: str, tag: str, attr: str) -> list[str]:
    return re.findall(rf"<{tag}\b[^>]*\b{attr}\s*=\s*[\"']([^\"']*)[\"']", page, flags=re.IGNORECASE)


# --- the map's definition (folium) and the component's parts ------------------------------------
@pytest.fixture(scope="module")
def layers():
    found, problems = load_layers(ROOT / "layers")
    assert problems == []
    return found


def _urls_in(js: str) -> list[str]:
    return re.findall(r'"(/app/static/[^"]+)"', js)


def test_map_loads_nothing_from_the_internet(layers):
    m = build_map(layers)
    parts = component_parts(m)
    assert find_online_resources(m) == []
    for text in (parts.html, parts.js, parts.css):
        assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text, flags=re.IGNORECASE)
        for match in re.finditer(r"https?://", text):  # only inside attribution text
            assert "attribution" in text[max(0, match.start() - 300):match.start()].lower(), text[match.start() - 80:match.start() + 80]
    # every script, style and module the component loads is one of the app's own files
    urls = _urls_in(parts.js)
    assert "/app/static/garrison/map/main.js" in urls and "/app/static/vendor/leaflet/leaflet.js" in urls
    for url in urls:
        assert (ROOT / "static" / url.removeprefix("/app/static/")).is_file(), url
    assert "<iframe" not in parts.html.lower() and "streamlit_folium" not in parts.js


@pytest.mark.parametrize(("online", "host"), [("osm", "openstreetmap.org"), ("satellite", "arcgisonline.com")])
def test_online_basemap_adds_only_tiles_and_their_attribution(layers, online, host):
    m = build_map(layers, online=online)
    js = component_parts(m).js
    assert find_online_resources(m, allow_tiles=True) == []
    assert [r.kind for r in find_online_resources(m)] == ["tiles"]
    tiles = re.findall(r'L\.tileLayer\(\s*"(https://[^"]+)"', js)
    assert len(tiles) == 1 and host in tiles[0]
    rest = js.replace(tiles[0], "")
    for match in re.finditer(r"https?://", rest):
        assert "attribution" in rest[max(0, match.start() - 300):match.start()].lower()
    with pytest.raises(ValueError):
        build_map(layers, online="https://evil.example/{z}/{x}/{y}.png")


def test_each_layer_type_is_its_own_element_created_through_the_component(layers):
    m = build_map(layers)
    js = component_parts(m).js
    assert set(LAYER_ELEMENTS) == set(LAYER_TYPES)
    for layer in layers:
        element = LAYER_ELEMENTS[layer.type]
        assert (ROOT / "static" / element.js_module).is_file()
        assert f'garrison.layer({json.dumps(layer.type)}, ' in js
    assert js.index("garrison.attach(") < js.index("garrison.layer(") < js.index("garrison.legend(")
    assert js.count("garrison.layer(") == len(layers)
    # the layer control lists them by name; names are escaped (Leaflet sets them as HTML)
    for layer in layers:
        assert json.dumps(html.escape(layer.name)) in js


def test_the_component_parts_are_the_same_for_the_same_definition(layers):
    a, b = component_parts(build_map(layers)), component_parts(build_map(layers))
    norm = [re.sub(r"_[0-9a-f]{32}(?![0-9a-f])", "_X", p.js + p.html) for p in (a, b)]
    assert norm[0] == norm[1]  # folium's random element ids are the only difference
    assert a.name.startswith("garrison_map_") and a.name != b.name  # named after the content
    other = component_parts(build_map(layers, online="osm"))
    assert re.sub(r"_[0-9a-f]{32}(?![0-9a-f])", "_X", other.js) != norm[0]


def test_hostile_layer_names_cannot_break_out_of_the_script(tmp_path):
    (tmp_path / "evil.yaml").write_text(
        "id: evil\ntype: installations\nname: '" + HOSTILE.replace("'", "''") + "'\nsource: installations\n", encoding="utf-8")
    found, problems = load_layers(tmp_path)
    assert problems == []
    js = component_parts(build_map(found)).js
    assert "</script" not in js.lower() and "<!--" not in js and "\u2028" not in js
    assert "alert(1)" in js  # kept, as escaped text


def test_the_view_goes_into_data_not_into_the_script(layers):
    ds = garrison.Loader(GOOD).load()
    js = component_parts(build_map(layers)).js
    data = map_data(ds, View(date=ds.span()[1], select="port-a"), URL)
    assert "port-a" not in js and URL not in js
    assert data["select"] == "port-a" and data["payload"] == URL and data["date"] == ds.span()[1].isoformat()
    json.dumps(data, allow_nan=False)


def test_filters_become_lookups_for_the_browser(layers):
    ds = garrison.Loader(GOOD).load()
    day = ds.span()[1]
    assert map_data(ds, View(date=day), URL)["match"] is None  # no filter: nothing to look up
    view = View(date=day, filters={"op": ["red"], "country": [], "kind": [], "status": []})
    data = map_data(ds, view, URL)
    inst, period = filter_masks(ds, view, None)
    assert inst is None and period.tolist() == (ds.periods.operator == list(ds.actors).index("red")).tolist()
    assert data["match"] == {"inst": None, "period": bitmask(period)}
    shown = shown_at(ds, inst, period, to_day(day))
    assert [ds.records[i].id for i in shown] == [r["id"] for _, r in ds.state_at(day).iterrows() if r["operator"] == "red"]
    # the map fits to what the filter keeps; the key changes with the filter
    assert data["fit"]["bounds"][0][0] <= min(ds.records[i].lat for i in shown)
    other = map_data(ds, View(date=day, filters={"op": ["blue"], "country": [], "kind": [], "status": []}), URL)
    assert other["fit"] is None or other["fit"]["key"] != data["fit"]["key"]


def test_a_layer_filter_is_decided_on_the_server(tmp_path):
    (tmp_path / "reds.yaml").write_text("id: reds\ntype: installations\nname: Reds\nsource: installations\n"
                                         "filter: {operator: [red], kind: [air_base]}\n", encoding="utf-8")
    found, problems = load_layers(tmp_path)
    assert problems == []
    ds = garrison.Loader(GOOD).load()
    data = map_data(ds, View(date=ds.span()[1]), URL, layers=found)
    inst, period = masks_for(ds, {"op": ["red"], "kind": ["air_base"]})
    assert data["layers"] == {"reds": {"inst": bitmask(inst), "period": bitmask(period)}}
    # must not: the filter also sent to the browser to decide there
    assert "filter" not in component_parts(build_map(found)).js.split("garrison.layer(", 1)[1].split(")", 1)[0]


# --- the payload ----------------------------------------------------------------------------
def _payload(ds: garrison.Dataset, layers) -> dict:
    """Built, encoded and decoded again (what the browser gets)."""
    return decode_payload(encode_payload(*build_payload(ds, layers)))


def _check_payload(ds: garrison.Dataset, p: dict) -> None:
    n, col = len(ds.records), p["col"]
    assert p["version"] == ds.version and p["open_end"] == OPEN_END
    assert p["inst"]["id"] == [r.id for r in ds.records] and len(p["inst"]["name"]) == n
    for key in ("lat", "lon", "kind", "stale"):
        assert len(col[key]) == n, key
    assert col["lat"].tolist() == [r.lat for r in ds.records]  # every decimal kept (float64)
    assert col["offsets"].tolist() == ds.periods.offsets.tolist()
    for key, want in (("start", ds.periods.start), ("end", ds.periods.end), ("op", ds.periods.operator),
                      ("terr", ds.periods.territory), ("status", ds.periods.status), ("conf", ds.periods.confidence)):
        assert col[key].tolist() == want.tolist(), key  # the full ends: the browser derives nothing
    assert col["code"].tolist() == ds.periods.state_codes().tolist()
    assert p["span"] == [to_day(d) for d in ds.span()]
    assert p["change_days"] == ds.periods.change_days().tolist()
    assert [s["id"] for s in p["looks"]["statuses"]] == p["statuses"] and [k["id"] for k in p["looks"]["kinds"]] == p["kinds"]
    for r in p["ranges"]:
        assert 0 <= r["inst"] < n and r["km"] > 0 and r["start"] < r["end"]
    for rt in p["routes"]:
        assert len(rt["nodes"]) >= 2 and all(0 <= x < n for x in rt["nodes"]) and 0 <= rt["op"] < len(p["actors"])
    for k, a in enumerate(p["actors"]):
        assert 0 <= a["root"] < len(p["actors"]) and p["actors"][a["root"]]["parent"] == -1, (k, a)


def test_payload_of_the_good_fixture(layers):
    ds = garrison.Loader(GOOD).load()
    p = _payload(ds, layers)
    _check_payload(ds, p)
    assert "names" not in p["inst"]  # search runs on the server; the browser never needs them
    assert p["col"]["kind"].tolist() == [p["kinds"].index(k) for k in ("air_base", "naval_base", "radar")]
    assert p["col"]["offsets"].tolist() == [0, 3, 5, 6]
    assert p["col"]["end"][1] == to_day("2025-06-01")  # the explicit `to`
    assert p["col"]["end"][0] == p["col"]["start"][1] and p["col"]["end"][2] == OPEN_END
    assert p["col"]["terr"][2] == -1  # no territory given
    actors = {a["id"]: a for a in p["actors"]}
    assert {a: x["colour"] for a, x in actors.items()} == {"red": "#cc0000", "red-pmc": "#880000",
                                                             "blue": "#0000cc", "green": "#00aa00"}
    ids = [a["id"] for a in p["actors"]]
    assert actors["red-pmc"]["parent"] == ids.index("red") and actors["red-pmc"]["root"] == ids.index("red")
    assert p["ranges"] == [{"inst": 0, "name": "Long-range SAM", "km": 400.0,
                            "start": to_day("2015-11-26"), "end": to_day("2024-12-01")}]
    assert p["routes"] == []
    assert [x["type"] for x in p["layers"]] == ["range_rings", "routes", "installations"]


def test_payload_routes_point_at_installations(good_copy, layers):
    (good_copy / "routes.yaml").write_text(
        "- id: red-link\n  name: Red link <b>\n  operator: red\n  nodes: [port-a, base-b]\n  history:\n"
        "  - from: '2016'\n    to: '2024-12-08'\n    status: active\n    confidence: reported\n    sources: [s1]\n"
        "  - from: '2024-12-08'\n    status: contested\n    confidence: disputed\n    sources: [s2]\n",
        encoding="utf-8")
    ds = garrison.Loader(good_copy).load()
    assert ds.errors == []
    p = _payload(ds, layers)
    _check_payload(ds, p)
    (rt,) = p["routes"]
    assert rt["name"] == "Red link <b>"  # data, not markup: the browser sets it as text
    assert rt["nodes"] == [p["inst"]["id"].index("port-a"), p["inst"]["id"].index("base-b")]
    assert rt["periods"] == [{"start": to_day("2016"), "end": to_day("2024-12-08"), "status": "active"},
                             {"start": to_day("2024-12-08"), "end": None, "status": "contested"}]


def test_payload_of_the_bundled_data(layers):
    ds = garrison.Loader(BUNDLED).load()
    p = _payload(ds, layers)
    _check_payload(ds, p)
    assert p["routes"], "the bundled data has supply routes"
    assert all(re.fullmatch(r"#[0-9a-fA-F]{6}", a["colour"]) for a in p["actors"])


def test_a_payload_with_hostile_strings_round_trips(good_copy, layers):
    ds = garrison.Loader(FIXTURES_HOSTILE).load()
    p = _payload(ds, layers)
    assert p["inst"]["name"] == [r.name for r in ds.records]  # data kept as it is, set as text by the browser
    with pytest.raises(ValueError):
        decode_payload(b"JSON" + b"\0" * 8)


def test_write_payload_is_content_addressed(tmp_path, layers):
    ds = garrison.Loader(GOOD).load()
    p = build_payload(ds, layers)
    a = write_payload(p, tmp_path / "gen")
    assert re.fullmatch(r"garrison-[0-9a-f]{20}\.bin", a)
    assert decode_payload((tmp_path / "gen" / a).read_bytes())["version"] == ds.version
    # its gzipped copy (what the map fetches) inflates to exactly the same bytes
    assert gzip.decompress((tmp_path / "gen" / f"{a}.gz").read_bytes()) == (tmp_path / "gen" / a).read_bytes()
    inode = (tmp_path / "gen" / a).stat().st_ino
    assert write_payload(build_payload(ds, layers), tmp_path / "gen") == a  # same content, same name
    assert (tmp_path / "gen" / a).stat().st_ino == inode  # not rewritten (only touched, to survive pruning)
    changed = (dict(p[0], version="other"), p[1])
    b = write_payload(changed, tmp_path / "gen")
    assert b != a
    assert sorted(x.name for x in (tmp_path / "gen").iterdir()) == sorted([a, f"{a}.gz", b, f"{b}.gz"])  # no temp files left over
    # another folder, same name: the name depends on the content only
    assert write_payload(p, tmp_path / "elsewhere") == a


def test_write_payload_keeps_at_most_keep_files(tmp_path):
    folder = tmp_path / "gen"
    folder.mkdir()
    (folder / "unrelated.json").write_text("{}")
    names = []
    for i in range(KEEP_FILES + 3):
        names.append(write_payload(({"i": i}, {}), folder, min_age_s=0))
        # distinct mtimes, whatever the file system's timestamp resolution
        t = time.time() - 1000 + i
        os.utime(folder / names[-1], (t, t))
        kept = sorted(x.name for x in folder.glob("garrison-*.bin"))
        assert len(kept) <= KEEP_FILES
        assert names[-1] in kept  # the one just written is always there
    assert len(set(names)) == len(names)
    assert sorted(x.name for x in folder.glob("garrison-*.bin")) == sorted(names[-KEEP_FILES:])
    # each .gz goes with its .bin
    assert sorted(x.name for x in folder.glob("garrison-*.bin.gz")) == sorted(f"{n}.gz" for n in names[-KEEP_FILES:])
    assert (folder / "unrelated.json").exists()  # only its own files are pruned


def test_write_payload_never_prunes_recent_files(tmp_path):
    """Another server's page may still be fetching a recent payload: it stays."""
    folder = tmp_path / "gen"
    names = [write_payload(({"i": i}, {}), folder) for i in range(KEEP_FILES + 3)]
    assert sorted(x.name for x in folder.glob("garrison-*.bin")) == sorted(names)


# --- layer definitions ----------------------------------------------------------------------
def test_bundled_layers_cover_the_three_types(layers):
    assert sorted(x.type for x in layers) == sorted(LAYER_TYPES)
    assert [x.type for x in layers] == ["range_rings", "routes", "installations"]  # markers drawn last
    by_id = {x.id: x for x in layers}
    assert set(by_id) == {p.stem for p in (ROOT / "layers").glob("*.yaml")}
    inst = by_id["installations"]
    assert inst.source == "installations" and inst.visible is True and inst.style == {"size": 18}
    assert by_id["supply-routes"].source == "routes"
    assert json.loads(json.dumps(inst.as_json()))["legend"]["show_kinds"] is True


BAD_LAYERS = {
    "unknown-type.yaml": "id: unknown-type\ntype: heatmap\nname: Heat\nsource: installations\n",
    "wrong-id.yaml": "id: other-id\ntype: routes\nname: Routes\nsource: routes\n",
    "broken.yaml": "id: broken\ntype: routes\nname: [unclosed\nsource: routes\n",
    "list.yaml": "- id: list\n",
    "extra-key.yaml": "id: extra-key\ntype: routes\nname: R\nsource: routes\n\ncolour: red\n",
    "no-type.yaml": "# a comment\nid: no-type\nname: N\nsource: routes\n",
    "dup-key.yaml": "id: dup-key\nid: dup-key\ntype: routes\nname: D\nsource: routes\n",
    "python-tag.yaml": "id: python-tag\ntype: routes\nname: !!python/object/apply:os.system [echo hi]\nsource: routes\n",
    "bad-filter.yaml": "id: bad-filter\ntype: routes\nname: F\nsource: routes\nfilter: {operator: red}\n",
    "empty.yaml": "",
    # a style or legend key the layer's type does not read (the looks come from vocab.yaml)
    "style-key.yaml": "id: style-key\ntype: installations\nname: S\nsource: installations\nstyle:\n  size: 18\n  fill: operator\n",
    "legend-key.yaml": "id: legend-key\ntype: routes\nname: L\nsource: routes\nlegend:\n  show_kinds: false\n",
}


def test_bad_layer_files_are_reported_and_good_ones_kept(tmp_path):
    for name in ("installations.yaml", "range-rings.yaml"):
        shutil.copy(ROOT / "layers" / name, tmp_path / name)
    for name, text in BAD_LAYERS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a layer")
    found, problems = load_layers(tmp_path)
    assert [x.id for x in found] == ["range-rings", "installations"]
    assert all(p.severity == "error" for p in problems)
    by_file = {}
    for p in problems:
        by_file.setdefault(Path(p.path).name, []).append(p)
    assert set(by_file) == set(BAD_LAYERS)
    # every problem names file:line:column, pointing at the offending line
    for p in problems:
        assert str(p).startswith(f"{p.path}:{p.line}:{p.column}: ")
        assert p.line >= 1 and p.column >= 1
    (unknown,) = by_file["unknown-type.yaml"]
    assert (unknown.line, unknown.field) == (2, "type")
    (wrong,) = by_file["wrong-id.yaml"]
    assert (wrong.line, wrong.field) == (1, "id") and "wrong-id" in wrong.message
    assert by_file["broken.yaml"][0].line in (3, 4)
    (extra,) = by_file["extra-key.yaml"]
    assert "colour" in extra.message
    assert "mapping" in by_file["list.yaml"][0].message
    assert by_file["dup-key.yaml"][0].line == 2 and "duplicate" in by_file["dup-key.yaml"][0].message
    assert by_file["python-tag.yaml"][0].line == 3 and "not executed" in by_file["python-tag.yaml"][0].message
    assert by_file["bad-filter.yaml"][0].line == 5 and by_file["bad-filter.yaml"][0].field == "filter.operator"
    assert "type" in by_file["no-type.yaml"][0].message
    assert by_file["empty.yaml"][0].line == 1
    (style,) = by_file["style-key.yaml"]
    assert (style.line, style.field) == (7, "style.fill") or (style.line == 7 and "fill" in style.message), style
    (legend,) = by_file["legend-key.yaml"]
    assert legend.line == 6 and "show_kinds" in legend.message, legend


def test_unknown_key_in_a_layer_is_reported_at_its_line(tmp_path):
    (tmp_path / "extra-key.yaml").write_text(BAD_LAYERS["extra-key.yaml"], encoding="utf-8")
    (problem,) = load_layers(tmp_path)[1]
    assert (problem.line, problem.field) == (6, "colour")


def test_a_non_utf8_layer_file_is_a_problem_not_a_crash(tmp_path):
    shutil.copy(ROOT / "layers" / "installations.yaml", tmp_path / "installations.yaml")
    (tmp_path / "latin1.yaml").write_bytes("id: latin1\ntype: routes\nname: Routes \u00e9t\u00e9\nsource: routes\n".encode("latin-1"))
    found, problems = load_layers(tmp_path)
    assert [x.id for x in found] == ["installations"]
    assert [(Path(p.path).name, p.line) for p in problems] == [("latin1.yaml", 3)]


def test_an_empty_layer_folder_gives_no_layers(tmp_path):
    assert load_layers(tmp_path) == ([], [])


def test_the_example_in_layers_readme_is_a_valid_layer(tmp_path):
    text = (ROOT / "layers" / "README.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    (tmp_path / "wagner.yaml").write_text(example, encoding="utf-8")
    layers, problems = load_layers(tmp_path)
    assert problems == [] and [layer.id for layer in layers] == ["wagner"]
    assert layers[0].filter == {"operator": ["ru-wagner", "ru-africa-corps"]} and layers[0].visible is False
    actors = set(garrison.Loader(ROOT / "data").load().actors)
    assert set(layers[0].filter["operator"]) <= actors  # the example names real actors
    # must not: the README itself is read as a layer
    assert [layer.id for layer in load_layers(ROOT / "layers")[0]] == ["range-rings", "supply-routes", "installations"]
