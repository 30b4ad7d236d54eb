// Installation labels: each shown installation's name beside its marker from zoom 7 on, placed
// so that no label covers another label, a place or country name of the basemap, a marker or a
// control of the map.
//
// Greedy by priority (the selection first, then the data's order) with boxes measured by canvas
// measureText: for each label the first free spot of right, left, above, below the marker wins;
// one that fits nowhere is left out. Only installations in view get a label, and the placement
// runs when the map settles (moveend, after the basemap has placed its own labels) and when the
// date changes what is shown -- at most every LABELS_MS while the date keeps moving, never per
// animation frame. Labels are text (textContent) on a pane of their own that moves with the map.
// A label is the name in the reader's language where the data gives one, else the English name
// (lang="en" and a title say so; no mark on the map itself, where room is short).
/* global L */
import { nameText } from "./dom.js";
import { ENGLISH } from "./i18n.js";

export const MIN_ZOOM = 7;
const LABELS_MS = 200;
const FONT = '600 11px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
const LINE = 13;  // px: a label's line height
const PAD = 2;  // px: free space kept around every label
const GAP = 3;  // px: between a marker's edge and its label
const CELL = 64;  // px: cells of the collision index

function overlap(a, b) {
  return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
}

/** Boxes [x0, y0, x1, y1] in a grid of CELL px, so a test looks only at its neighbours. */
export class BoxIndex {
  constructor() { this.cells = new Map(); }

  _keys(b) {
    const out = [];
    for (let x = Math.floor(b[0] / CELL); x <= Math.floor(b[2] / CELL); x++) {
      for (let y = Math.floor(b[1] / CELL); y <= Math.floor(b[3] / CELL); y++) out.push(x + ":" + y);
    }
    return out;
  }

  hits(b) {
    for (const k of this._keys(b)) {
      const cell = this.cells.get(k);
      if (cell && cell.some((o) => overlap(b, o))) return true;
    }
    return false;
  }

  add(b) {
    for (const k of this._keys(b)) {
      if (!this.cells.has(k)) this.cells.set(k, []);
      this.cells.get(k).push(b);
    }
  }
}

/**
 * Greedy placement: `items` [{key, x, y, w}] (a marker's centre and its label's width, in order of
 * priority), `obstacles` boxes already taken; `half` the markers' half size. Every marker's own box
 * is kept free, then each label takes the first free spot of right, left, above, below inside
 * the map ({width, height}), or none. Returns Map key -> [x0, y0] (the label's top-left corner).
 */
export function placeLabels(items, obstacles, { width, height, half }) {
  const index = new BoxIndex(), keep = new Map();
  obstacles.forEach((b) => index.add([b[0] - PAD, b[1] - PAD, b[2] + PAD, b[3] + PAD]));
  items.forEach(({ x, y }) => index.add([x - half, y - half, x + half, y + half]));  // every marker stays visible
  for (const { key, x, y, w } of items) {
    const spots = [[x + half + GAP, y - LINE / 2], [x - half - GAP - w, y - LINE / 2],
      [x - w / 2, y - half - GAP - LINE], [x - w / 2, y + half + GAP]];
    for (const [sx, sy] of spots) {
      const x0 = Math.round(sx), y0 = Math.round(sy), b = [x0 - PAD, y0 - PAD, x0 + w + PAD, y0 + LINE + PAD];
      if (b[0] < 0 || b[1] < 0 || b[2] > width || b[3] > height || index.hits(b)) continue;
      index.add(b);
      keep.set(key, [x0, y0]);
      break;
    }
  }
  return keep;
}

export class InstallationLabels {
  /** `size`: the markers' size in px (their box is kept free too). */
  constructor(map, { size = 18 } = {}) {
    this.map = map;
    this.size = size;
    this.payload = null;
    this.shown = [];
    this.select = null;
    this.els = new Map();  // installation index -> its label element
    this.widths = new Map();  // name -> px
    this.timer = null;
    this.placedAt = 0;
    this.words = ENGLISH;
    const pane = map.getPane("garrisonInstLabels") || map.createPane("garrisonInstLabels");
    pane.classList.add("garrison-inst-labels");
    this.pane = pane;
    this._ctx = document.createElement("canvas").getContext("2d");
    this._ctx.font = FONT;
    // registered after the basemap's own moveend handler, so its labels are placed when this runs
    map.on("moveend", () => this.place());
    map.on("gbmlabels", () => this.place());  // the basemap's towns arrived after the map settled
    map.on("zoomstart", () => this.pane.classList.add("garrison-inst-labels-hidden"));
  }

  /** What the map shows now (installation indices), from a restyle: placed soon, not per frame. */
  setShown(payload, shown, select) {
    this.payload = payload;
    this.shown = shown;
    this.select = select;
    if (this.timer !== null) return;
    const wait = Math.max(0, this.placedAt + LABELS_MS - performance.now());
    this.timer = setTimeout(() => requestAnimationFrame(() => { this.timer = null; this.place(); }), wait);
  }

  /** The reader switched languages: every label again. */
  setWords(words) {
    this.words = words;
    this._keep(new Map());
    if (this.payload) this.place();
  }

  _name(i) {
    return this.words.nameOf(this.payload, "inst", i, this.payload.inst.name[i]);
  }

  _width(name) {
    let w = this.widths.get(name);
    if (w === undefined) this.widths.set(name, (w = Math.ceil(this._ctx.measureText(name).width)));
    return w;
  }

  /** The boxes of the basemap's labels and the map's controls now on the map, in container pixels. */
  _basemapBoxes() {
    const box = this.map.getContainer().getBoundingClientRect(), out = [];
    // the controls too (title, zoom, legend, layers): a label under them could not be read
    this.map.getContainer().querySelectorAll(".gbm-place-text, .gbm-country, .gbm-dot, .leaflet-control").forEach((el) => {
      const r = el.getBoundingClientRect();
      if (r.width && r.height) out.push([r.left - box.left, r.top - box.top, r.right - box.left, r.bottom - box.top]);
    });
    return out;
  }

  place() {
    this.placedAt = performance.now();
    this.pane.classList.remove("garrison-inst-labels-hidden");
    const map = this.map, p = this.payload;
    if (!p || map.getZoom() < MIN_ZOOM) { this._keep(new Map()); return; }
    const size = map.getSize(), col = p.col, obstacles = this._basemapBoxes();
    const inView = [], b = map.getBounds().pad(0.25), s = b.getSouth(), n = b.getNorth(), w = b.getWest(), e = b.getEast();
    for (const i of this.shown) {
      const lat = col.lat[i], lon = col.lon[i];
      if (lat < s || lat > n || lon < w || lon > e) continue;  // cheap: no projection for what is far out of view
      const pt = map.latLngToContainerPoint([lat, lon]);
      if (pt.x < -100 || pt.y < -20 || pt.x > size.x + 100 || pt.y > size.y + 20) continue;
      inView.push({ key: i, x: Math.round(pt.x), y: Math.round(pt.y), w: this._width(this._name(i).text),
        first: p.inst.id[i] === this.select });
    }
    inView.sort((a, b) => b.first - a.first);  // the selection's label first
    const keep = placeLabels(inView, obstacles, { width: size.x, height: size.y, half: this.size / 2 });
    this._keep(keep);
  }

  _keep(keep) {
    for (const [i, el] of this.els) if (!keep.has(i)) { el.remove(); this.els.delete(i); }
    const p = this.payload;
    for (const [i, [x, y]] of keep) {
      let el = this.els.get(i);
      if (!el) {
        el = nameText("div", "garrison-inst-label", this._name(i), this.words, false);
        el.dir = "auto";  // an Arabic name reads right to left on the left-to-right map
        el.setAttribute("data-garrison-label", p.inst.id[i]);
        this.pane.appendChild(el);
        this.els.set(i, el);
      }
      L.DomUtil.setPosition(el, this.map.containerPointToLayerPoint([x, y]));
    }
    this.map.getContainer().setAttribute("data-garrison-inst-labels", String(keep.size));
  }

  destroy() {
    if (this.timer !== null) clearTimeout(this.timer);
    this._keep(new Map());
  }
}
