// The installations layer: one transparent hook element per installation (the README's stable
// classes, hover, click, keyboard focus) and one canvas that paints what you see.
//
// The hook elements are made with one innerHTML (a Leaflet marker each cost ~80 ms of the first
// paint at 1k), placed with left/top and no z-index (each would be its own paint chunk), and
// registered as the map's event targets so Leaflet hands their mouse events to this layer.
// A step in time repaints only the markers whose look changed (and what overlaps them).
/* global L */
import { periodAt, passes, changedSince, isoDay } from "./time.js";
import { SpriteCache, swatch } from "./paint.js";
import { nameText, text } from "./dom.js";
import { ENGLISH } from "./i18n.js";

const GRID = 32;  // px: cells of the index of what is drawn where, for partial repaints
const FULL_REPAINT = 400;  // more changed markers than this: repaint everything
const HOOKS_MS = 200;  // while the date keeps moving, the hook elements catch up this often

export const InstallationsLayer = L.Layer.extend({
  options: { bubblingMouseEvents: false, size: 18, filter: {}, pane: "markerPane" },

  initialize(options) {
    L.setOptions(this, options);
    this._p = null;
    this._state = null;
    this._looks = [];  // per installation: its look now, or null (not shown)
    this._classes = [];
    this._sprites = new SpriteCache();
    this._due = new Map();  // installation -> [classes, period row] its hook element is still to get
    this._hookTimer = null;
    this._hooksAt = 0;
    this.on("mouseover mouseout click", this._onMouse, this);
  },

  /** The reader's words (the state's, from main.js). */
  _words() {
    return (this._state && this._state.words) || ENGLISH;
  },

  /** The payload arrived (or changed): build the hook elements. */
  setPayload(payload) {
    this._p = payload;
    this._looks = [];
    this._classes = [];
    if (this._map) { this._removeHooks(); this._addHooks(); }
  },

  /** Restyle for a view state {day, select, match, compareCodes}: only what changed is touched. */
  setState(state) {
    this._state = state;
    if (!this._map || !this._p) return 0;
    const p = this._p, col = p.col, looks = p.looks, shown = [];
    const own = state.layers && state.layers[this.options.id];
    if (state.words !== this._labelWords) { this._labelWords = state.words; this._classes = []; }  // new words: every accessible name again
    for (let i = 0; i < p.inst.id.length; i++) {
      const row = periodAt(col, i, state.day), id = p.inst.id[i];
      const kind = looks.kinds[col.kind[i]];
      let cls = "garrison-inst garrison-inst-" + id + " garrison-kind-" + kind.id, look = null;
      const keep = passes(state.match, i, row) && passes(own, i, row);
      if (row < 0) cls += " garrison-absent";
      else {
        const op = p.actors[col.op[row]], status = looks.statuses[col.status[row]], conf = looks.confidences[col.conf[row]];
        cls += " garrison-status-" + status.id + " garrison-op-" + op.id + " garrison-conf-" + conf.id;
        if (col.terr[row] >= 0 && col.terr[row] !== col.op[row]) cls += " garrison-terr-" + p.actors[col.terr[row]].id;
        if (keep) {
          look = { kind, status, conf, colour: op.colour, stale: !!col.stale[i], selected: state.select === id,
            changed: changedSince(col.code, state.compareCodes, i, row), disputed: conf.id === "disputed",
            approx: col.approx_km[i] > 0 };
          look.key = kind.id + "|" + status.id + "|" + look.colour + "|" + conf.id + "|" +
            (+look.stale) + (+look.selected) + (+look.changed) + (+look.approx);
          shown.push(i);
        }
      }
      if (!keep) cls += " garrison-filtered";
      if (state.compareCodes && changedSince(col.code, state.compareCodes, i, row)) cls += " garrison-changed";
      if (state.select === id) cls += " garrison-selected";
      if (col.stale[i]) cls += " garrison-stale";
      this._looks[i] = look;
      if (this._classes[i] !== cls) this._due.set(i, [cls, row]);
    }
    this._paint(false);
    this._scheduleHooks();
    this.fire("garrison-restyle");  // the legend follows what is painted
    return shown;
  },

  // The hook elements follow the painted markers once the frame is out, at most every HOOKS_MS
  // while the date keeps moving (a drag, a play): rewriting thousands of their classes with every
  // frame made the browser restyle and re-layer them all (~100 ms a step at 10k), for elements
  // nobody sees. The last step's classes always arrive.
  _scheduleHooks() {
    if (this._hookTimer !== null || !this._due.size) return;
    const wait = Math.max(0, this._hooksAt + HOOKS_MS - performance.now());
    this._hookTimer = setTimeout(() => requestAnimationFrame(() => { this._hookTimer = null; this._flushHooks(); }), wait);
  },

  _flushHooks() {
    this._hooksAt = performance.now();
    const due = this._due;
    this._due = new Map();
    if (!this._hooks) return;
    due.forEach(([cls, row], i) => {
      const el = this._hooks[i];
      if (!el || this._classes[i] === cls) return;
      el.className = cls + " leaflet-marker-icon leaflet-interactive";
      el.setAttribute("aria-label", this._label(i, row));
      this._classes[i] = cls;
    });
    if (this._map) this._map.getContainer().setAttribute("data-garrison-hooks-date", this._map.getContainer().getAttribute("data-garrison-date") || "");
  },

  /**
   * Legend entries for what this layer paints inside `bounds` now: the statuses, kinds,
   * confidences and positions of the markers in view, painted as the map paints them, in the
   * vocabulary's order. `.operators` holds the operator codes whose colour is on the map there.
   */
  legend(bounds, words = this._words()) {
    const p = this._p, out = [];
    out.operators = new Set();
    if (!p || !bounds) return out;
    const col = p.col, looks = p.looks, lg = this.options.legend || {}, day = this._state ? this._state.day : 0;
    const s = bounds.getSouth(), n = bounds.getNorth(), w = bounds.getWest(), e = bounds.getEast();
    const seen = { status: new Set(), kind: new Set(), conf: new Set(), approx: new Set() };
    this._looks.forEach((look, i) => {
      if (!look || col.lat[i] < s || col.lat[i] > n || col.lon[i] < w || col.lon[i] > e) return;
      seen.status.add(look.status);
      seen.kind.add(look.kind);
      seen.conf.add(look.conf);
      seen.approx.add(look.approx);
      if (look.status.colour === "operator") out.operators.add(col.op[periodAt(col, i, day)]);
    });
    if (lg.show_operators === false) out.operators.clear();
    const grey = "#777", base = { conf: looks.confidences[0], stale: false, selected: false, changed: false, disputed: false,
      approx: false, colour: grey, kind: looks.kinds[0], status: looks.statuses[1] };
    if (seen.kind.size) out.push({ title: words.layer(lg.title) || words.t("Installations"), rows: [], heading: true });
    const row = (look, cls, label) => ({ swatch: swatch({ ...base, ...look }, 22, "garrison-legend-marker " + cls), label });
    if (lg.show_statuses !== false) {
      // i18n: a heading of the legend (the marker's paint)
      out.push({ title: words.t("Status"), rows: looks.statuses.filter((st) => seen.status.has(st)).map((st) =>
        row({ status: st, key: "s" + st.id }, "garrison-status-" + st.id, words.term("status", st.id))) });
    }
    if (lg.show_kinds !== false) {
      // i18n: a heading of the legend (the marker's shape: air base, port...)
      out.push({ title: words.t("Kind"), rows: looks.kinds.filter((k) => seen.kind.has(k)).map((k) =>
        row({ kind: k, key: "k" + k.id }, "garrison-kind-" + k.id, words.term("kind", k.id))) });
    }
    // confidence is the marker's opacity, and a "?" badge where the sources disagree
    // i18n: a heading of the legend (the marker's opacity: how sure the sources are)
    out.push({ title: words.t("Confidence"), rows: looks.confidences.filter((c) => seen.conf.has(c)).map((c) =>
      row({ conf: c, disputed: c.id === "disputed", key: "c" + c.id }, "garrison-conf-" + c.id, words.term("confidence", c.id))) });
    // i18n: a heading of the legend (is the marker at the facility itself, or at its town?)
    out.push({ title: words.t("Position"), rows: [false, true].filter((a) => seen.approx.has(a)).map((approx) =>
      row({ approx, key: "p" + approx }, "garrison-position-" + (approx ? "approximate" : "exact"),
        // i18n: legend rows: the marker stands at its town or area (a dotted halo) / at the facility itself
        approx ? words.t("approximate (town, area)") : words.t("exact (the facility)"))) });
    return out;
  },

  onAdd(map) {
    if (!map.getPane("garrisonMarkers")) map.createPane("garrisonMarkers").style.zIndex = 450;
    this._canvas = L.DomUtil.create("canvas", "garrison-canvas leaflet-zoom-hide", map.getPane("garrisonMarkers"));
    this._canvas.style.pointerEvents = "none";
    this._tip = L.tooltip({ direction: "top", offset: [0, -this.options.size / 2] });
    if (this._p) this._addHooks();
    this._reset();
  },

  onRemove(map) {
    this._removeHooks();
    map.closeTooltip(this._tip);
    L.DomUtil.remove(this._canvas);
    this._canvas = null;
  },

  getEvents() {
    return { zoomend: this._place, viewreset: this._place, moveend: this._reset, resize: this._reset };
  },

  _addHooks() {
    const p = this._p, size = this.options.size, half = size / 2, html = [];
    // approximate positions first, so an installation placed exactly lies on top of one placed
    // at its town's coordinates (and takes the click there)
    const which = [];
    for (let i = 0; i < p.inst.id.length; i++) if (p.col.approx_km[i] > 0) which.push(i);
    for (let i = 0; i < p.inst.id.length; i++) if (!(p.col.approx_km[i] > 0)) which.push(i);
    for (let k = 0; k < which.length; k++) {
      html.push('<div class="garrison-inst garrison-absent leaflet-marker-icon leaflet-interactive" tabindex="0" role="button" ' +
        'style="width:' + size + "px;height:" + size + "px;margin-left:" + -half + "px;margin-top:" + -half + 'px"></div>');
    }
    this._box = L.DomUtil.create("div", "garrison-hooks", this._map.getPane(this.options.pane));
    this._box.innerHTML = html.join("");
    this._hooks = {};
    const els = this._box.children;
    which.forEach((i, k) => {
      const el = els[k];
      el._garrisonIndex = i;
      this._hooks[i] = el;
      this._map._targets[L.Util.stamp(el)] = this;
    });
    this._classes = [];
    L.DomEvent.on(this._box, "focusin", this._onFocus, this);
    L.DomEvent.on(this._box, "focusout", this._onBlur, this);
    L.DomEvent.on(this._box, "keydown", this._onKey, this);
    this._place();
    if (this._state) this.setState(this._state);
  },

  _removeHooks() {
    if (!this._hooks) return;
    for (const i in this._hooks) delete this._map._targets[L.Util.stamp(this._hooks[i])];
    L.DomUtil.remove(this._box);
    this._hooks = null;
    this._box = null;
  },

  // the hook element's accessible name: what the marker says at the date (its tooltip's gist)
  _label(i, row) {
    const p = this._p, w = this._words(), kind = w.term("kind", p.looks.kinds[p.col.kind[i]].id);
    const name = this._name("inst", i, p.inst.name[i]);
    // i18n: a marker's accessible name: "{name} ({kind}): {state}"
    const head = w.t("{name} ({kind})").replace("{name}", name).replace("{kind}", kind);
    // i18n: said of a marker whose installation has no period at the slider's date
    if (row < 0) return head + ": " + w.t("no record at this date");
    const op = p.col.op[row], status = w.term("status", p.looks.statuses[p.col.status[row]].id);
    return head + ": " + status + ", " + this._name("actors", op, p.actors[op].short);
  },

  // a name from the data as plain text, marked where the English one stands in
  _name(part, index, english) {
    const w = this._words(), name = w.nameOf(this._p, part, index, english);
    return name.en ? name.text + " " + w.englishMark() : name.text;
  },

  // every hook element to its place at the map's zoom (a pan moves the whole pane instead)
  _place() {
    if (!this._map || !this._hooks) return;
    const col = this._p.col;
    for (const i in this._hooks) {
      const pt = this._map.latLngToLayerPoint([col.lat[i], col.lon[i]]).round(), st = this._hooks[i].style;
      st.left = pt.x + "px";
      st.top = pt.y + "px";
    }
  },

  _reset() {
    if (!this._map || !this._canvas) return;
    const size = this._map.getSize(), ratio = globalThis.devicePixelRatio || 1;
    this._origin = this._map.containerPointToLayerPoint([0, 0]);
    L.DomUtil.setPosition(this._canvas, this._origin);
    this._canvas.width = size.x * ratio;
    this._canvas.height = size.y * ratio;
    this._canvas.style.width = size.x + "px";
    this._canvas.style.height = size.y + "px";
    this._paint(true);
  },

  _at(i) {
    const col = this._p.col, pt = this._map.latLngToLayerPoint([col.lat[i], col.lon[i]]).subtract(this._origin);
    return { x: Math.round(pt.x), y: Math.round(pt.y) };
  },

  _cells(d, fn) {
    for (let gx = Math.floor((d.x - d.half) / GRID); gx <= Math.floor((d.x + d.half) / GRID); gx++) {
      for (let gy = Math.floor((d.y - d.half) / GRID); gy <= Math.floor((d.y + d.half) / GRID); gy++) fn(gx + ":" + gy);
    }
  },

  _paint(everything) {
    if (!this._canvas || !this._p) return;
    const ctx = this._canvas.getContext("2d"), size = this._map.getSize(), r = this.options.size / 2;
    const ratio = globalThis.devicePixelRatio || 1;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    const keys = new Map();
    this._looks.forEach((look, i) => { if (look) keys.set(i, look.key); });
    const before = everything ? null : this._drawnKeys, changed = [];
    if (before) {
      keys.forEach((key, i) => { if (before.get(i) !== key) changed.push(i); });
      before.forEach((_, i) => { if (!keys.has(i)) changed.push(i); });
    }
    if (!before || changed.length > FULL_REPAINT) {
      this._drawn = new Map();
      this._grid = new Map();
      ctx.clearRect(0, 0, size.x, size.y);
      const order = [];
      keys.forEach((_, i) => {
        const at = this._at(i);
        if (at.x < -30 || at.y < -30 || at.x > size.x + 30 || at.y > size.y + 30) return;
        this._index(i, at, r);
        order.push(i);
      });
      this._stamp(ctx, order, r);
    } else {
      for (const i of changed) {
        let d = this._drawn.get(i);
        if (!d && keys.has(i)) d = this._index(i, this._at(i), r);
        if (!d) continue;
        const near = new Set(), inside = [];
        this._cells(d, (cell) => (this._grid.get(cell) || []).forEach((j) => near.add(j)));
        near.forEach((j) => {
          const o = this._drawn.get(j);
          if (o && keys.has(j) && Math.abs(o.x - d.x) < o.half + d.half && Math.abs(o.y - d.y) < o.half + d.half) inside.push(j);
        });
        ctx.save();
        ctx.beginPath();
        ctx.rect(d.x - d.half, d.y - d.half, 2 * d.half, 2 * d.half);
        ctx.clip();
        ctx.clearRect(d.x - d.half, d.y - d.half, 2 * d.half, 2 * d.half);
        this._stamp(ctx, inside.sort((a, b) => a - b), r);
        ctx.restore();
      }
    }
    this._drawnKeys = keys;
  },

  _index(i, at, r) {
    const d = { i, x: at.x, y: at.y, half: Math.ceil(r + 8) };
    this._drawn.set(i, d);
    this._cells(d, (cell) => { let list = this._grid.get(cell); if (!list) this._grid.set(cell, (list = [])); list.push(i); });
    return d;
  },

  // the sprites of these markers in index order, the selected and compared ones on top
  _stamp(ctx, order, r) {
    const top = [];
    const put = (i) => {
      const s = this._sprites.get(this._looks[i], r), d = this._drawn.get(i);
      ctx.drawImage(s.canvas, d.x - s.half, d.y - s.half, 2 * s.half, 2 * s.half);
    };
    const exact = [];
    for (const i of order) {  // approximate positions underneath, as in the hook elements' order
      const look = this._looks[i];
      if (!look || !this._drawn.get(i)) continue;
      if (look.selected || look.changed) top.push(i); else if (look.approx) put(i); else exact.push(i);
    }
    exact.forEach(put);
    top.forEach(put);
  },

  _tooltip(i) {
    const p = this._p, w = this._words(), day = this._state ? this._state.day : 0, row = periodAt(p.col, i, day);
    const box = text("div", "garrison-tip"), actor = (code) => nameText("span", null, w.nameOf(p, "actors", code, p.actors[code].short), w);
    box.dir = w.dir;  // the map is left to right; its tooltips read in the reader's direction
    box.lang = w.lang;
    box.appendChild(nameText("strong", null, w.nameOf(p, "inst", i, p.inst.name[i]), w));
    if (row >= 0) {
      const op = p.col.op[row], terr = p.col.terr[row], line = text("div", "garrison-tip-state");
      line.appendChild(text("span", null, w.term("status", p.looks.statuses[p.col.status[row]].id) + " \u2014 "));
      line.appendChild(actor(op));
      if (terr >= 0 && terr !== op) {
        // i18n: in a marker's tooltip, after the operator: who controls the territory around it
        const [before, after] = w.t("(territory: {name})").split("{name}");
        line.appendChild(text("span", null, " " + before));
        line.appendChild(actor(terr));
        line.appendChild(text("span", null, after || ""));
      }
      box.appendChild(line);
      // i18n: in a marker's tooltip: since when its current period holds ({date}: its start, at its precision)
      const start = p.col.since_len ? isoDay(p.col.start[row]).slice(0, p.col.since_len[row]) : isoDay(p.col.start[row]);
      const since = w.t("since {date}").replace("{date}", w.date(start));
      box.appendChild(text("div", "garrison-tip-since", since));
      box.appendChild(text("div", "garrison-tip-conf", w.term("confidence", p.looks.confidences[p.col.conf[row]].id)));
    } else {
      box.appendChild(text("div", null, w.t("no record at this date")));
    }
    if (p.col.approx_km[i] > 0) {
      // i18n: in a marker's tooltip; {km} is the position's uncertainty
      box.appendChild(text("div", "garrison-tip-approx", w.t("position approximate, \u00b1{km} km").replace("{km}", w.number(p.col.approx_km[i]))));
    }
    // i18n: in a marker's tooltip: its data file failed the checks, so the last good version is shown
    if (p.col.stale[i]) box.appendChild(text("div", "garrison-tip-stale", w.t("stale: its file has errors")));
    return box;
  },

  _indexOf(e) {
    const el = e && (e.originalEvent ? e.originalEvent.target : e.target);
    return el && el._garrisonIndex !== undefined ? el._garrisonIndex : null;
  },

  _showTip(i) {
    this._tip.setContent(this._tooltip(i)).setLatLng([this._p.col.lat[i], this._p.col.lon[i]]);
    this._map.openTooltip(this._tip);
  },

  _onMouse(e) {
    const i = this._indexOf(e);
    if (i === null) return;
    if (e.type === "mouseover") this._showTip(i);
    else if (e.type === "mouseout") this._map.closeTooltip(this._tip);
    else if (e.type === "click") this.fire("select", { id: this._p.inst.id[i] });
  },
  _onFocus(e) { const i = this._indexOf(e); if (i !== null) this._showTip(i); },
  _onBlur() { this._map.closeTooltip(this._tip); },
  _onKey(e) {  // Enter or Space on a focused installation selects it, like a click
    const i = this._indexOf(e);
    if (i !== null && (e.key === "Enter" || e.key === " ")) { L.DomEvent.preventDefault(e); this.fire("select", { id: this._p.inst.id[i] }); }
  },
});
