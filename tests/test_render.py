"""The browser map at the HTML level: offline, stable script, escaped state, the payload, layers."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import time
from pathlib import Path

import folium
import pytest
from streamlit_folium import generate_js_hash, generate_leaflet_string

import garrison
from garrison.basemap.guard import find_online_resources
from garrison.dates import OPEN_END, to_day
from garrison.render.layers import LAYER_TYPES, load_layers
from garrison.render.mapview import GarrisonLayer, StateMessage, build_map, render_html, state_message
from garrison.render.payload import KEEP_FILES, build_payload, expand_ends, write_payload

# paths defined here, not imported from conftest (tests/browser/conftest.py shadows that module name)
ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "tests" / "fixtures" / "good"
BUNDLED = ROOT / "data"

URL = "/app/static/generated/garrison-0123456789abcdef0123.json"
HOSTILE = "</script><script>alert(1)</script><!-- & \u2028\u2029 > <"


def _tags(page: str, tag: str, attr: str) -> list[str]:
    return re.findall(rf"<{tag}\b[^>]*\b{attr}\s*=\s*[\"']([^\"']*)[\"']", page, flags=re.IGNORECASE)


# --- the map page ---------------------------------------------------------------------------
def test_map_page_loads_nothing_from_the_internet():
    m = build_map(URL)
    page = render_html(m)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, flags=re.IGNORECASE)
    # any http(s) URL in the page may only be inside attribution text
    for match in re.finditer(r"https?://", page):
        context = page[max(0, match.start() - 300):match.start()]
        assert "attribution" in context.lower(), page[match.start() - 80:match.start() + 80]
    assert find_online_resources(m) == []
    for url in _tags(page, "script", "src") + _tags(page, "link", "href"):
        assert url.startswith("/app/static/"), url
    assert "tile.openstreetmap" not in page and "cdn.jsdelivr" not in page and "unpkg.com" not in page


@pytest.mark.parametrize(("online", "host"), [("osm", "openstreetmap.org"), ("satellite", "arcgisonline.com")])
def test_online_basemap_adds_only_tiles_and_their_attribution(online, host):
    m = build_map(URL, online=online)
    page = render_html(m)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, flags=re.IGNORECASE)
    assert find_online_resources(m, allow_tiles=True) == []
    assert [r.kind for r in find_online_resources(m)] == ["tiles"]
    tiles = re.findall(r'L\.tileLayer\(\s*"(https://[^"]+)"', page)
    assert len(tiles) == 1 and host in tiles[0]
    # every other http(s) URL is part of the attribution
    rest = page.replace(tiles[0], "")
    for match in re.finditer(r"https?://", rest):
        assert "attribution" in rest[max(0, match.start() - 300):match.start()].lower()
    assert '"attribution"' in page
    with pytest.raises(ValueError):
        build_map(URL, online="https://evil.example/{z}/{x}/{y}.png")


def test_map_page_loads_the_garrison_script_and_style_from_static():
    page = render_html(build_map(URL))
    scripts, styles = _tags(page, "script", "src"), _tags(page, "link", "href")
    assert "/app/static/garrison/garrison-map.js" in scripts
    assert "/app/static/garrison/garrison-map.css" in styles
    assert "/app/static/vendor/leaflet/leaflet.js" in scripts
    # Leaflet first, the Garrison layer after the libraries it uses
    assert scripts.index("/app/static/vendor/leaflet/leaflet.js") < scripts.index("/app/static/garrison/garrison-map.js")
    for url in scripts + styles:  # every one of them exists in static/
        assert (ROOT / "static" / url.removeprefix("/app/static/")).is_file(), url
    # the payload URL is passed as JSON to Garrison.init
    init = re.search(r"Garrison\.init\((\w+), (\{.*?\})\);", page)
    assert init and init.group(1).startswith("map_")
    assert json.loads(init.group(2)) == {"dataUrl": URL, "followSlider": None}
    followed = re.search(r"Garrison\.init\(\w+, (\{.*?\})\);", render_html(build_map(URL, follow_slider="Date")))
    assert json.loads(followed.group(1)) == {"dataUrl": URL, "followSlider": "Date"}


def test_map_script_is_identical_for_the_same_payload_url():
    a, b = build_map(URL), build_map(URL)
    sa, sb = generate_leaflet_string(a), generate_leaflet_string(b)
    assert sa == sb
    assert generate_js_hash(sa, "garrison-map") == generate_js_hash(sb, "garrison-map")
    # the script carries no per-build randomness: folium's random ids are the only difference
    norm = [re.sub(r"_[0-9a-f]{32}\b", "_X", render_html(m)) for m in (build_map(URL), build_map(URL))]
    assert norm[0] == norm[1]
    # ...and it does change (so the map reloads) when the payload changes
    other = generate_leaflet_string(build_map(URL.replace("0123", "9999")))
    assert other != sa
    assert generate_js_hash(other, "garrison-map") != generate_js_hash(sa, "garrison-map")


def test_state_does_not_go_into_the_map_script():
    before = generate_leaflet_string(build_map(URL))
    for day in (0, 20000, 20067):
        state_message({"day": day, "select": "port-a"})
        assert generate_leaflet_string(build_map(URL)) == before
    assert "setState" not in before and "__garrisonQueue" not in before


def _state_json(script: str) -> str:
    m = re.search(r"__garrisonQueue \|\| \[\]\)\.push\((.*)\);\s*\n", script)
    assert m, script
    return m.group(1)


def test_state_message_escapes_script_breakers():
    state = {"day": 20067, "compare": None, "select": HOSTILE,
             "filter": {"operator": [HOSTILE], "ids": ["a&b", "<!--x-->"]}, "fitKey": "</SCRIPT >\u2028"}
    fg = state_message(state)
    assert isinstance(fg, folium.FeatureGroup) and fg.control is False
    (msg,) = [c for c in fg._children.values() if isinstance(c, StateMessage)]
    raw = msg.state_js
    for ch in "<>&\u2028\u2029":
        assert ch not in raw, ch
    assert "\\u003c/script\\u003e" in raw and "\\u0026" in raw and "\\u2028" in raw and "\\u2029" in raw
    assert json.loads(raw) == state  # escaping loses nothing
    # rendered as part of a page: still exactly one script per opening tag, the JSON intact
    m = build_map(URL)
    fg.add_to(m)
    page = render_html(m)
    assert page.lower().count("<script") == page.lower().count("</script>")
    assert "alert(1)</script>" not in page
    assert json.loads(_state_json(page)) == state
    # what streamlit-folium sends for the feature group
    js = generate_leaflet_string(state_message(state))
    assert json.loads(_state_json(js)) == state and "</script" not in js.lower()


def test_garrison_layer_escapes_its_data_url():
    layer = GarrisonLayer(HOSTILE)
    assert "<" not in layer.options_js and "&" not in layer.options_js
    assert json.loads(layer.options_js) == {"dataUrl": HOSTILE, "followSlider": None}
    hostile_label = GarrisonLayer(URL, follow_slider=HOSTILE)
    assert "<" not in hostile_label.options_js and json.loads(hostile_label.options_js)["followSlider"] == HOSTILE
    m = folium.Map(tiles=None)
    layer.add_to(m)
    page = render_html(m)
    assert "alert(1)</script>" not in page


def test_state_message_keeps_non_ascii_readable():
    (msg,) = state_message({"q": "Порт حميميم"})._children.values()
    assert "Порт حميميم" in msg.state_js


# --- the payload ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def layers():
    found, problems = load_layers(ROOT / "layers")
    assert problems == []
    return found


def _check_payload(ds: garrison.Dataset, p: dict) -> None:
    n = len(ds.records)
    inst, per = p["inst"], dict(p["periods"])
    assert all(e == -1 or e > 0 for e in per["end"])  # -1: until the next start (or ongoing)
    per["end"] = expand_ends(per["offsets"], per["start"], per["end"])
    assert per["end"] == ds.periods.end.tolist()  # nothing lost
    assert p["version"] == ds.version and p["open_end"] == OPEN_END
    for key in ("id", "name", "kind", "country", "lat", "lon", "stale"):
        assert len(inst[key]) == n, key
    assert inst["id"] == [r.id for r in ds.records]
    offsets = per["offsets"]
    assert len(offsets) == n + 1 and offsets[0] == 0
    assert offsets == sorted(offsets)
    total = offsets[-1]
    assert total == sum(len(r.history) for r in ds.records) == len(ds.periods)
    for key in ("start", "end", "op", "terr", "status", "conf"):
        assert len(per[key]) == total, key
    for i, rec in enumerate(ds.records):
        lo, hi = offsets[i], offsets[i + 1]
        assert hi - lo == len(rec.history)
        assert per["start"][lo:hi] == [h.start.day for h in rec.history]
        assert all(s < e for s, e in zip(per["start"][lo:hi], per["end"][lo:hi], strict=True))
    assert all(0 <= o < len(p["actors"]) for o in per["op"])
    assert all(-1 <= t < len(p["actors"]) for t in per["terr"])
    assert all(0 <= s < len(p["statuses"]) for s in per["status"])
    assert all(0 <= c < len(p["confidences"]) for c in per["conf"])
    assert all(0 <= k < len(p["kinds"]) for k in inst["kind"])
    for r in p["ranges"]:
        assert 0 <= r["inst"] < n and r["km"] > 0 and r["start"] < r["end"]
    for rt in p["routes"]:
        assert len(rt["nodes"]) >= 2 and all(0 <= x < n for x in rt["nodes"])
        assert 0 <= rt["op"] < len(p["actors"])
        assert rt["periods"] and all(q["end"] is None or q["start"] < q["end"] for q in rt["periods"])
    json.dumps(p, allow_nan=False)  # plain JSON, no NaN


def test_payload_of_the_good_fixture(layers):
    ds = garrison.Loader(GOOD).load()
    p = build_payload(ds, layers)
    _check_payload(ds, p)
    assert "names" not in p["inst"]  # search runs on the server; the browser never needs them
    assert p["inst"]["kind"] == [p["kinds"].index(k) for k in ("air_base", "naval_base", "radar")]
    assert p["periods"]["offsets"] == [0, 3, 5, 6]
    assert p["periods"]["end"][1] == to_day("2025-06-01")  # the explicit `to` is sent
    assert p["periods"]["end"][0] == -1 and p["periods"]["end"][2] == -1  # implied by the next start / ongoing
    ends = expand_ends(p["periods"]["offsets"], p["periods"]["start"], p["periods"]["end"])
    assert ends[0] == p["periods"]["start"][1] and ends[2] == OPEN_END and ends[-1] == OPEN_END
    assert p["periods"]["terr"][2] == -1  # no territory given
    actors = {a["id"]: a for a in p["actors"]}
    assert {a: x["colour"] for a, x in actors.items()} == {"red": "#cc0000", "red-pmc": "#880000",
                                                             "blue": "#0000cc", "green": "#00aa00"}
    assert actors["red-pmc"]["parent"] == [a["id"] for a in p["actors"]].index("red")
    assert actors["red"]["parent"] == -1
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
    p = build_payload(ds, layers)
    _check_payload(ds, p)
    (rt,) = p["routes"]
    assert rt["name"] == "Red link <b>"  # data, not markup: the browser sets it as text
    assert rt["nodes"] == [p["inst"]["id"].index("port-a"), p["inst"]["id"].index("base-b")]
    assert rt["op"] == 0
    assert rt["periods"] == [{"start": to_day("2016"), "end": to_day("2024-12-08"), "status": "active"},
                             {"start": to_day("2024-12-08"), "end": None, "status": "contested"}]


def test_payload_of_the_bundled_data(layers):
    ds = garrison.Loader(BUNDLED).load()
    p = build_payload(ds, layers)
    _check_payload(ds, p)
    assert p["routes"], "the bundled data has supply routes"
    assert all(re.fullmatch(r"#[0-9a-fA-F]{6}", a["colour"]) for a in p["actors"])


def test_write_payload_is_content_addressed(tmp_path, layers):
    ds = garrison.Loader(GOOD).load()
    p = build_payload(ds, layers)
    a = write_payload(p, tmp_path / "gen")
    assert re.fullmatch(r"garrison-[0-9a-f]{20}\.json", a)
    assert json.loads((tmp_path / "gen" / a).read_text(encoding="utf-8")) == p
    # its gzipped copy (what the map fetches) inflates to exactly the same bytes
    assert gzip.decompress((tmp_path / "gen" / f"{a}.gz").read_bytes()) == (tmp_path / "gen" / a).read_bytes()
    inode = (tmp_path / "gen" / a).stat().st_ino
    assert write_payload(json.loads(json.dumps(p)), tmp_path / "gen") == a  # same content, same name
    assert (tmp_path / "gen" / a).stat().st_ino == inode  # not rewritten (only touched, to survive pruning)
    changed = dict(p, version="other")
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
        names.append(write_payload({"i": i}, folder, min_age_s=0))
        # distinct mtimes, whatever the file system's timestamp resolution
        t = time.time() - 1000 + i
        os.utime(folder / names[-1], (t, t))
        kept = sorted(x.name for x in folder.glob("garrison-*.json"))
        assert len(kept) <= KEEP_FILES
        assert names[-1] in kept  # the one just written is always there
    assert len(set(names)) == len(names)
    assert sorted(x.name for x in folder.glob("garrison-*.json")) == sorted(names[-KEEP_FILES:])
    # each .gz goes with its .json
    assert sorted(x.name for x in folder.glob("garrison-*.json.gz")) == sorted(f"{n}.gz" for n in names[-KEEP_FILES:])
    assert (folder / "unrelated.json").exists()  # only its own files are pruned


def test_write_payload_never_prunes_recent_files(tmp_path):
    """Another server's page may still be fetching a recent payload: it stays."""
    folder = tmp_path / "gen"
    names = [write_payload({"i": i}, folder) for i in range(KEEP_FILES + 3)]
    assert sorted(x.name for x in folder.glob("garrison-*.json")) == sorted(names)


# --- layer definitions ----------------------------------------------------------------------
def test_bundled_layers_cover_the_three_types(layers):
    assert sorted(x.type for x in layers) == sorted(LAYER_TYPES)
    assert [x.type for x in layers] == ["range_rings", "routes", "installations"]  # markers drawn last
    by_id = {x.id: x for x in layers}
    assert set(by_id) == {p.stem for p in (ROOT / "layers").glob("*.yaml")}
    inst = by_id["installations"]
    assert inst.source == "installations" and inst.visible is True and inst.style["fill"] == "operator"
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


# --- one bundled script ---------------------------------------------------------------------------
@pytest.fixture
def static_copy(tmp_path, monkeypatch):
    """A static/ folder of its own (the bundler writes under it), with the map's real scripts."""
    static = tmp_path / "static"
    for rel in ("vendor/MANIFEST.json", "vendor/leaflet/leaflet.js", "basemap/folium-compat.js",
                "vendor/topojson-client/topojson-client.min.js", "basemap/garrison-basemap.js",
                "garrison/garrison-prefetch.js", "garrison/garrison-map.js"):
        (static / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "static" / rel, static / rel)
    monkeypatch.setenv("GARRISON_STATIC_DIR", str(static))
    return static


def test_the_map_scripts_are_bundled_into_one_file_in_order(static_copy):
    from garrison.render.bundle import script_elements

    plain = build_map(URL)
    order = [u for e in script_elements(plain) for _, u in e.default_js]
    assert order[0].endswith("/leaflet.js") and order[-2:] == ["/app/static/garrison/garrison-prefetch.js", "/app/static/garrison/garrison-map.js"]
    plain_order = order
    order = [order[-2], *order[:-2], order[-1]]  # bundled, the prefetch runs first: it needs nothing
    m = build_map(URL, bundle_dir=static_copy / "generated")
    (only,) = [u for e in script_elements(m) for _, u in e.default_js]
    path, _, query = only.partition("?")
    assert re.fullmatch(r"/app/static/generated/scripts-[0-9a-f]{20}\.js", path)
    assert query == "data=" + URL.replace("/", "%2F")  # the data the bundle starts fetching
    text = (static_copy / path.removeprefix("/app/static/")).read_text(encoding="utf-8")
    pos = [text.index((static_copy / u.removeprefix("/app/static/")).read_text(encoding="utf-8")) for u in order]
    assert len(order) == 6 and pos == sorted(pos)
    # the page loads that one script, and the stylesheets as before
    page = render_html(m)
    assert _tags(page, "script", "src") == [only.replace("&", "&amp;")]
    assert "/app/static/garrison/garrison-map.css" in _tags(page, "link", "href")
    # must not: folium's shared class-level script lists are changed for other maps
    assert [u for e in script_elements(build_map(URL)) for _, u in e.default_js] == plain_order


def test_the_bundle_is_written_once_and_rebuilt_when_a_script_changes(static_copy):
    folder = static_copy / "generated"
    first = build_map(URL, bundle_dir=folder).default_js[0][1]
    (written,) = folder.glob("scripts-*.js")
    stamp = written.stat().st_mtime_ns
    assert build_map(URL, bundle_dir=folder).default_js[0][1] == first
    assert written.stat().st_mtime_ns == stamp  # a rerun reads and writes nothing
    js = static_copy / "garrison" / "garrison-map.js"
    js.write_text(js.read_text(encoding="utf-8") + "\n// changed\n", encoding="utf-8")
    os.utime(js, ns=(stamp + 10**9, stamp + 10**9))
    second = build_map(URL, bundle_dir=folder).default_js[0][1]
    assert second != first and "// changed" in (static_copy / second.split("?")[0].removeprefix("/app/static/")).read_text()
    # a bundle deleted behind the server's back (pruned by another process) is written again
    for f in folder.glob("scripts-*.js"):
        f.unlink()
    assert build_map(URL, bundle_dir=folder).default_js[0][1] == second and len(list(folder.glob("scripts-*.js"))) == 1


def test_a_map_with_a_script_from_elsewhere_is_not_bundled(static_copy):
    from garrison.render.bundle import bundle_scripts

    m = build_map(URL)
    m.default_js = [*m.default_js, ("cdn", "https://cdn.example/x.js")]
    before = render_html(m)
    assert bundle_scripts(m, static_copy / "generated") is None
    assert render_html(m).count("<script src") == before.count("<script src")
    assert "https://cdn.example/x.js" in render_html(m)  # left for the offline guard to report
    assert not (static_copy / "generated").exists()  # must not: a partial bundle written


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
