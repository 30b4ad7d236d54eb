// The Garrison map as a Streamlit component (Custom Components v2): one GarrisonMap per mounted
// component, kept on its root element; nothing kept at module level, so two maps on one page work.
//
// In (the component's `data`, from src/garrison/render/mapstate.py): the payload's URL, the date,
// the selection, the filter's and compare's answers, the map view, edit mode, the words of the
// reader's language (from the gettext catalogs; see i18n.js).
// Out: state values `date` (when a drag, key press or play is over) and `view` (each settled view
// the server does not know yet); triggers `select` (an installation's id), `place` (a position; edit
// mode only) and `painted` (once, when the data asks for it with `report_paint`: a page's first run
// waits for the map's first frame to draw the rest of the page, its charts).
// The map itself is defined in Python with folium: `build(garrison)` runs folium's script, whose
// elements call back into `garrison` (attach the map, add a layer, add the legend).
/* global L */
import { dayOfIso, isoDay } from "./time.js";

const MODULE_BASE = new URL(".", import.meta.url).href;

function loadScript(src) {
  const known = document.querySelector('script[data-garrison-src="' + src + '"]');
  if (known) return known._garrisonLoaded;
  const s = document.createElement("script");
  s.src = src;
  s.async = false;
  s.dataset.garrisonSrc = src;
  s._garrisonLoaded = new Promise((resolve, reject) => {
    s.onload = resolve;
    s.onerror = () => reject(new Error("could not load " + src));
  });
  document.head.appendChild(s);
  return s._garrisonLoaded;
}

const MODULES = ["dom.js", "i18n.js", "time.js", "payload.js", "timeline.js", "paint.js", "installations.js", "rings.js", "routes.js", "legend.js",
  "capture.js", "title.js", "labels.js"];

function preloadModule(href) {
  if (document.querySelector('link[rel="modulepreload"][href="' + href + '"]')) return;
  const l = document.createElement("link");
  l.rel = "modulepreload";
  l.href = href;
  document.head.appendChild(l);
}

function loadStyle(href) {
  if (document.querySelector('link[data-garrison-href="' + href + '"]')) return;
  const l = document.createElement("link");
  l.rel = "stylesheet";
  l.href = href;
  l.dataset.garrisonHref = href;
  document.head.appendChild(l);
}

function roundView(map) {
  const c = map.getCenter(), lng = ((c.lng + 180) % 360 + 360) % 360 - 180;
  return { lat: +c.lat.toFixed(4), lon: +lng.toFixed(4), zoom: map.getZoom() };
}

function sameView(a, b) {
  return !!a && !!b && a.lat === b.lat && a.lon === b.lon && a.zoom === b.zoom;
}

class GarrisonMap {
  constructor(root, modules, build) {
    this.root = root;
    this.m = modules;
    this.layers = [];
    this.map = null;
    this.legendControl = null;
    this.payload = null;
    this.payloadUrl = null;
    this.state = { day: null, select: null, match: null, layers: {}, compareCodes: null, words: modules.ENGLISH };
    this.applied = false;  // the first data is applied (before it, moves are the map setting itself up)
    // what this map told the server (dates and views not yet echoed)
    this.reported = { date: null, view: null, pending: [], views: [] };
    this.received = { date: undefined, view: undefined, fit: undefined };  // what the server last said
    this.timings = { init: performance.now() };
    this.component = null;
    this.words = modules.ENGLISH;
    build(this._garrison());
    if (!this.map) throw new Error("Garrison: the map definition attached no map");
    this.box = this.map.getContainer();
    this.box.setAttribute("dir", "ltr");  // a map reads left to right in every language (controls, coordinates)
    this.box.garrison = this;  // for tests and benchmarks: the map's own state, read in the page
    this.title = new this.m.TitleControl().addTo(this.map);  // the title and date on the map itself
    this.labelled = this.layers.find((l) => l instanceof this.m.InstallationsLayer);  // its names beside its markers
    this.instLabels = this.labelled ? new this.m.InstallationLabels(this.map, { size: this.labelled.options.size }) : null;
    this.box.setAttribute("data-garrison-mount", String(Date.now()) + "-" + Math.random().toString(36).slice(2));
    this._watchMoves();
    this.map.on("overlayadd overlayremove", () => this._relabelLayerControl());  // Leaflet rebuilt its list
    this._focusWithoutScrolling();
    this._keepExactView();
    this.captureControl = new this.m.CaptureControl(this).addTo(this.map);  // PNG and animations (capture.js)
  }

  // Leaflet keeps a view's exact centre only until the map's size changes: a resize re-derives
  // the centre from whole pixels, up to half a pixel off (a link's lat=34.9 became 34.8994). So
  // the view last set or moved to is held, and a resize that left the map within a pixel of it
  // puts it back exactly. This map's own invalidateSize is wrapped: a one-pixel change fires no
  // "resize" yet still drops the exact centre.
  _keepExactView() {
    const map = this.map, offset = (c) => map.latLngToContainerPoint(c).distanceTo(map.getSize().divideBy(2));
    this.held = { center: map.getCenter(), zoom: map.getZoom() };
    const invalidate = map.invalidateSize;
    map.invalidateSize = (options) => {
      const out = invalidate.call(map, options), v = this.held;
      if (map._loaded && v && map.getZoom() === v.zoom && !map.getCenter().equals(v.center) && offset(v.center) < 1) {
        map.setView(v.center, v.zoom, { reset: true });
      }
      return out;
    };
    map.on("moveend", () => {  // a real move (a drag, a zoom, a fit) becomes the view to hold
      const v = this.held;
      if (!v || map.getZoom() !== v.zoom || offset(v.center) >= 1) this.held = { center: map.getCenter(), zoom: map.getZoom() };
    });
  }

  _showView(lat, lon, zoom) {
    const center = L.latLng(lat, lon), same = this.map.getZoom() === zoom && this.map.latLngToContainerPoint(center)
      .distanceTo(this.map.getSize().divideBy(2)) < 1;
    this.held = { center, zoom };
    // a sub-pixel move is a pan of zero pixels to Leaflet, which keeps the old centre: reset instead
    this.map.setView(center, zoom, same ? { reset: true } : { animate: false });
  }

  // Leaflet focuses its container on mousedown (for the arrow keys) and then puts the *window's*
  // scroll back; Streamlit scrolls a container, not the window, so a click near the map's lower
  // edge scrolled the page between mousedown and mouseup and the click landed on something else.
  _focusWithoutScrolling() {
    const kb = this.map.keyboard;
    if (!kb) return;
    kb.disable();
    kb._onMouseDown = function () {
      if (!this._focused) this._map._container.focus({ preventScroll: true });
    };
    kb.enable();
  }

  /** What folium's script calls (see src/garrison/render/elements/). */
  _garrison() {
    const types = { installations: this.m.InstallationsLayer, range_rings: this.m.RangeRingsLayer, routes: this.m.RoutesLayer };
    return {
      attach: (map) => { this.map = map; return this; },
      layer: (type, options) => {
        const Type = types[type];
        if (!Type) throw new Error("Garrison: no layer type " + type);
        const layer = new Type(options);
        if (type === "installations") layer.on("select", (e) => this._select(e.id));
        this.layers.push(layer);
        return layer;
      },
      legend: (options) => {
        this.legendControl = new this.m.Legend(this.layers, options);
        return this.legendControl;
      },
    };
  }

  _watchMoves() {
    // Every settled view the server does not know yet is reported: a drag and its inertia end in
    // two moveends (the last one counts), a link's view or a resize kept exact (_keepExactView)
    // come back equal to what the server sent.
    // Moves before the first data is applied are the map's own setting up (its initial view, a
    // resize as the page lays out), not a view anyone chose: reporting one raced the link's view.
    this.map.on("moveend", () => { if (this.applied) this._reportView(); });
    this.map.on("click", (e) => {
      if (this.data && this.data.edit) this._send("trigger", "place", { lat: e.latlng.lat, lng: e.latlng.lng });
    });
  }

  _reportView() {
    const v = roundView(this.map);
    if (sameView(v, this.reported.view) || sameView(v, this.received.view)) return;
    this.reported.view = v;
    this.reported.views.push(v);
    this._send("state", "view", v);
  }

  /** A (re)render of the component: new data from the server. */
  async update(component) {
    this.component = component;
    const data = (this.data = component.data || {});
    if (data.payload && data.payload !== this.payloadUrl) {
      this.payloadUrl = data.payload;
      this.timings.fetch = performance.now();
      try {
        const pre = this.root.garrisonPrefetch;
        const early = pre && pre.url === data.payload && pre.promise;
        if (early) { Object.assign(this.timings, pre.timings); this.root.garrisonPrefetch = null; }
        const p = await (early || this.m.loadPayload(data.payload, this.timings));
        if (this.payloadUrl !== data.payload) return;  // a newer payload is on its way
        this._setPayload(p);
      } catch (err) {
        this.box.setAttribute("data-garrison-error", String(err));
        console.warn("Garrison: could not load map data", err);
        this.paintOver();  // the page's charts do not wait for a map that cannot draw
        return;
      }
    }
    if (!this.payload) return;
    this._apply(this.data);
  }

  _setPayload(p) {
    this.timings.parsed = performance.now();
    this.payload = p;
    const [first, last] = p.span;
    if (!this.timeline) {
      this.timeline = new this.m.Timeline(this.root.querySelector(".garrison-timeline-slot"), {
        first, last, changeDays: p.change_days,
        onDay: (day) => this._restyle(day),
        onSettle: (day) => this._report(day),
        words: this._wordsOf(this.data),
      });
    } else {
      this.timeline.setRange(first, last, p.change_days);
    }
    this.layers.forEach((layer) => layer.setPayload(p));
    this.box.setAttribute("data-garrison-version", p.version);
    if (this.legendControl) this.legendControl.refresh(p);
    this.timings.built = performance.now();
  }

  /** The Words for the data's language (made again only when the language changes). */
  _wordsOf(data) {
    const table = data && data.words;
    if (table && table.lang !== this.words.lang) this.words = new this.m.Words(table);
    return this.words;
  }

  /** The reader switched languages: every label the map shows, in the new one. */
  _relabel() {
    const w = this.words;
    this.timeline.relabel(w);
    this.state.words = w;
    if (this.legendControl) this.legendControl.setWords(w);
    if (this.captureControl) this.captureControl.setWords(w);
    if (this.instLabels) this.instLabels.setWords(w);
    this._relabelLayerControl();
  }

  // folium's layer control names the layers in English (one map definition for every language)
  _relabelLayerControl() {
    this.map.getContainer().querySelectorAll(".leaflet-control-layers-selector + span").forEach((span) => {
      if (span.dataset.garrisonName === undefined) span.dataset.garrisonName = span.textContent.trim();
      span.textContent = " " + this.words.layer(span.dataset.garrisonName);
    });
  }

  _apply(data) {
    const s = this.state, m = this.m;
    if (this._wordsOf(data).lang !== this.state.words.lang) this._relabel();
    s.select = data.select || null;
    s.match = data.match ? { inst: m.fromBase64(data.match.inst), period: m.fromBase64(data.match.period) } : null;
    s.compareCodes = data.compare ? m.fromBase64(data.compare.codes, Int32Array) : null;
    s.layers = {};
    for (const [id, lm] of Object.entries(data.layers || {})) {
      s.layers[id] = { inst: m.fromBase64(lm.inst), period: m.fromBase64(lm.period), routes: lm.routes ? new Set(lm.routes) : null };
    }
    // The server's date wins only when it is news: not the one this map itself reported (a play
    // or a drag may have moved on since).
    const day = dayOfIso(data.date), pending = this.reported.pending;
    if (data.date !== this.received.date) {
      this.received.date = data.date;
      const echo = pending.indexOf(data.date);
      if (echo >= 0) pending.splice(0, echo + 1);  // a rerun for a date reported here: already shown
      else if (day !== null) { pending.length = 0; this.reported.date = null; this.timeline.show(day); }
    }
    if (s.day === null) this.timeline.show(this.timeline.day);
    this._restyle(this.timeline.day);
    // a view this map reported comes back with the rerun it caused: an echo, never a move (the
    // reader, or a test, may have moved on since; that newer view is on its way too)
    const view = data.view, sent = this.reported.views, echo = view ? sent.findIndex((v) => sameView(v, view)) : -1;
    if (echo >= 0) sent.splice(0, echo + 1);
    const viewNews = !!view && echo < 0 && !sameView(view, this.received.view) && !sameView(view, this.reported.view);
    const fit = data.fit, fitNews = !!fit && fit.key !== (this.received.fit && this.received.fit.key);
    this.received.view = view || this.received.view;
    this.received.fit = fit || this.received.fit;
    const first = !this.applied;
    this.applied = true;
    if (viewNews) this._showView(view.lat, view.lon, view.zoom);
    else if (fitNews) this.map.fitBounds(fit.bounds, { maxZoom: 8, padding: [30, 30], animate: false });
    // a page without a view shows the map's starting view: as if the server had sent it, so only a
    // real move reports a view (a resize that keeps the centre, e.g. as the charts arrive, does not)
    else if (first && !view) this.received.view = roundView(this.map);
    if (!this.box.hasAttribute("data-garrison-ready")) {
      this.box.setAttribute("data-garrison-ready", "1");
      this.timings.styled = performance.now();
      requestAnimationFrame(() => setTimeout(() => { this.timings.painted = performance.now(); this.paintOver(); }, 0));
    }
  }

  /** The first paint is over (or cannot happen): tell the server when this run's data asked (see the header). */
  paintOver() {
    if (this.paintReported) return;
    this.paintReported = true;
    this.box.setAttribute("data-garrison-painted", "1");
    if (this.data && this.data.report_paint) this._send("trigger", "painted", true);
  }

  _restyle(day) {
    if (!this.payload) return;
    const t0 = performance.now(), s = this.state;
    s.day = day;
    let shown = 0;
    for (const layer of this.layers) {
      const out = layer.setState(s);
      if (Array.isArray(out)) shown += out.length;
      if (layer === this.labelled && Array.isArray(out)) this.instLabels.setShown(this.payload, out, s.select);
    }
    this.title.setDate(isoDay(day), this.words);
    this.box.setAttribute("data-garrison-day", String(day));
    this.box.setAttribute("data-garrison-date", isoDay(day));
    this.box.setAttribute("data-garrison-visible", String(shown));
    this.box.setAttribute("data-garrison-restyle-ms", (performance.now() - t0).toFixed(1));
  }

  _report(day) {
    const iso = isoDay(day);
    const last = this.reported.date !== null ? this.reported.date : this.received.date;
    if (iso === last) return;
    this.reported.date = iso;
    this.reported.pending.push(iso);
    this._send("state", "date", iso);
  }

  _select(id) {
    this.state.select = id;
    this._restyle(this.state.day);
    this._send("trigger", "select", id);
  }

  /** Tell the server (a rerun follows); `data-garrison-sent` counts the messages, for tests' "must not" checks. */
  _send(kind, name, value) {
    this.sent = (this.sent || 0) + 1;
    this.box.setAttribute("data-garrison-sent", String(this.sent));
    if (kind === "state") this.component.setStateValue(name, value);
    else this.component.setTriggerValue(name, value);
  }

  destroy() {
    if (this.timeline) this.timeline.stop(false);
    if (this.instLabels) this.instLabels.destroy();
    this.map.remove();
  }
}

/**
 * The component's entry: load the classic scripts (Leaflet and the basemap, in order) and the
 * styles once per page, then create this root's map (or hand the existing one its new data).
 */
export async function mount(component, { scripts, styles, build }) {
  const root = component.parentElement.querySelector(".garrison-root") || component.parentElement;
  styles.forEach(loadStyle);
  // everything the map needs is requested at once: the payload, the modules (preloaded), the
  // classic scripts (executed in order, fetched in parallel)
  const data = component.data || {};
  if (data.payload && !root.garrisonPrefetch) root.garrisonPrefetch = { url: data.payload, timings: { fetch: performance.now() } };
  if (root.garrisonPrefetch && !root.garrisonPrefetch.promise) {
    const pre = root.garrisonPrefetch;
    pre.promise = import(MODULE_BASE + "payload.js").then((m) => m.loadPayload(pre.url, pre.timings));
    pre.promise.catch(() => {});  // reported when the map takes it
  }
  MODULES.forEach((f) => preloadModule(MODULE_BASE + f));
  let gmap;
  try {
    await Promise.all(scripts.map(loadScript));
    // one map per root, however many calls arrive while its modules load
    root.garrisonMapReady = root.garrisonMapReady || (async () => {
      const parts = await Promise.all(MODULES.map((f) => import(MODULE_BASE + f)));
      return (root.garrisonMap = new GarrisonMap(root, Object.assign({}, ...parts), build));
    })();
    gmap = await root.garrisonMapReady;
  } catch (err) {  // no map: the page's charts must not wait for its paint
    if (data.report_paint && !root.garrisonPaintReported) component.setTriggerValue("painted", true);
    root.garrisonPaintReported = true;
    throw err;
  }
  // Streamlit calls this again for each new `data` on the same mounted root, and also runs the
  // cleanup of a call that a newer one overtook (before that newer call has even started): so the
  // cleanup ends the map only once the component has really left the page.
  await gmap.update(component);
  return () => {
    if (root.isConnected || root.garrisonMap !== gmap) return;
    gmap.destroy();
    root.garrisonMap = root.garrisonMapReady = null;
  };
}
