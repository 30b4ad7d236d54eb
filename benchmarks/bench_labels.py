"""Browser benchmark of the installation labels (static/garrison/map/labels.js) at 10k installations.

Run on demand (not a pytest test), with the project's Python:

    .venv/bin/python benchmarks/bench_labels.py [--size 10000] [--runs 20]

Starts the real app on a synthetic folder (benchmarks/synthetic.py, cached under the tmp folder
given by --cache), opens it in headless Chromium (every non-local request aborted), centres the
map on a shown installation and, at zoom 7, 9 and 12, times the labels' placement (`place()`:
reading the basemap's label boxes, measuring, greedy placement, writing the elements) --runs
times, median and max. Then plays at the fastest speed for --play-seconds and counts the
placements against the steps shown: labels follow the date at most every 200 ms, not per frame.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_map import CHROMIUM, CHROMIUM_ARGS, ROOT, prepare, streamlit_process  # noqa: E402

TIME_PLACE_JS = """([lat, lon, zoom, runs]) => new Promise((done) => {
  const g = document.querySelector('.leaflet-container').garrison, map = g.map;
  map.once('moveend', () => requestAnimationFrame(() => {
    const ms = [];
    for (let k = 0; k < runs; k++) { const t = performance.now(); g.instLabels.place(); ms.push(performance.now() - t); }
    done({ ms, labels: document.querySelectorAll('.garrison-inst-label').length,
           shown: g.instLabels.shown.length });
  }));
  map.setView([lat, lon], zoom, { animate: false });
})"""

COUNT_PLAY_JS = """(seconds) => new Promise((done) => {
  const g = document.querySelector('.leaflet-container').garrison, labels = g.instLabels, place = labels.place.bind(labels);
  let places = 0, days = new Set();
  labels.place = () => { places++; place(); };
  const box = g.map.getContainer(), obs = new MutationObserver(() => days.add(box.getAttribute('data-garrison-date')));
  obs.observe(box, { attributes: true, attributeFilter: ['data-garrison-date'] });
  document.querySelector('.garrison-play').click();
  setTimeout(() => { document.querySelector('.garrison-play').click(); obs.disconnect(); labels.place = place;
    done({ places, days: days.size }); }, seconds * 1000);
})"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="10000")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--play-seconds", type=float, default=4.0)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "garrison-bench")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    args.cache.mkdir(parents=True, exist_ok=True)
    (label, folder), = prepare([args.size], args.cache, args.cache)
    with streamlit_process(ROOT / "serve.py", folder, args.cache / "labels-server.log") as (url, _proc), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        page.route("**/*", lambda r: r.continue_() if "localhost" in r.request.url or "127.0.0.1" in r.request.url else r.abort())
        page.goto(url)
        page.wait_for_selector('.leaflet-container[data-garrison-ready="1"]', timeout=180_000)
        lat, lon = page.evaluate("""() => { const g = document.querySelector('.leaflet-container').garrison,
            i = g.instLabels.shown[0], c = g.payload.col; return [c.lat[i], c.lon[i]]; }""")
        print(f"{label} installations, view centred on ({lat:.3f}, {lon:.3f})")
        print(f"{'zoom':>5} {'shown':>7} {'labels':>7} {'place median ms':>16} {'max ms':>7}")
        for zoom in (7, 9, 12):
            r = page.evaluate(TIME_PLACE_JS, [lat, lon, zoom, args.runs])
            print(f"{zoom:>5} {r['shown']:>7} {r['labels']:>7} {statistics.median(r['ms']):>16.1f} {max(r['ms']):>7.1f}")
        page.evaluate(TIME_PLACE_JS, [lat, lon, 9, 1])
        page.get_by_role("combobox", name="Speed", exact=True).select_option(label="fastest (60 fps)")
        page.get_by_role("combobox", name="Step", exact=True).select_option(label="step: day")
        r = page.evaluate(COUNT_PLAY_JS, args.play_seconds)
        print(f"play {args.play_seconds:g} s at 60 fps, zoom 9: {r['days']} dates shown, {r['places']} label placements "
              f"({r['places'] / args.play_seconds:.1f}/s)")
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
