// The legend: a folding panel beside the map (a sheet under it when the component is narrow),
// never over the data. It lists only what the current view shows: the operators, statuses, kinds,
// confidences and positions of the installations in view at the date (the layers say which, from
// what they paint), rebuilt after a move or a restyle, and only when that set changed.
// Its colours are Streamlit's theme variables (garrison-map.css), so it reads in the dark theme.
import { text } from "./dom.js";

const WIDE = 900;  // px of the component: from here on the legend stands beside the map

export class Legend {
  constructor(layers, options) {
    this.options = Object.assign({ title: "Legend" }, options);
    this._layers = layers;
    this._p = null;
    this._key = null;
    this._queued = false;
  }

  /** Put the panel beside the map's box (wrapping the two in a stage) and follow the map. */
  addTo(map) {
    this._map = map;
    const container = map.getContainer(), box = container.closest(".garrison-map-box") || container;
    let stage = box.parentElement;
    if (!stage.classList.contains("garrison-stage")) {
      stage = text("div", "garrison-stage");
      box.parentElement.insertBefore(stage, box);
      stage.appendChild(box);
    }
    this._stage = stage;
    const panel = (this._box = text("details", "garrison-legend-box"));
    panel.setAttribute("aria-label", this.options.title);
    this._summary = text("summary", "garrison-legend-summary", this.options.title);
    panel.appendChild(this._summary);
    this._body = text("div", "garrison-legend");
    panel.appendChild(this._body);
    stage.appendChild(panel);
    const wide = () => stage.getBoundingClientRect().width >= WIDE;
    stage.classList.toggle("garrison-stage-wide", wide());
    panel.open = wide();  // folded under a narrow map: one line until asked for
    // the map's size changes when the panel folds or the stage changes its layout: Leaflet only
    // watches the window
    this._resize = new ResizeObserver(() => {
      stage.classList.toggle("garrison-stage-wide", wide());
      stage.style.setProperty("--garrison-map-height", box.getBoundingClientRect().height + "px");
      map.invalidateSize();  // keeps the centre (a link's or the reader's view) while the size changes
    });
    this._resize.observe(stage);
    this._resize.observe(box);
    map.invalidateSize();
    map.on("moveend zoomend", this._queue, this);
    for (const layer of this._layers) layer.on("garrison-restyle", this._queue, this);
    map.on("unload", () => { this._resize.disconnect(); panel.remove(); });
    this.refresh();
    return this;
  }

  /** The payload arrived (or changed). */
  refresh(payload) {
    if (payload) this._p = payload;
    this._key = null;
    this._queue();
  }

  // at most one rebuild per frame, however many moves and restyles came in it (a play)
  _queue() {
    if (this._queued) return;
    this._queued = true;
    requestAnimationFrame(() => { this._queued = false; this._build(); });
  }

  _build() {
    if (!this._body || !this._p || !this._map) return;
    const bounds = this._map.getBounds(), groups = [], shown = new Set();
    for (const layer of this._layers) {
      if (!this._map.hasLayer(layer)) continue;
      const part = layer.legend(bounds);  // an installations layer also says which operators it paints there
      for (const group of part) if (group.rows.length || group.heading) groups.push(group);
      if (part.operators) part.operators.forEach((code) => shown.add(code));
    }
    const operators = this._p.actors.map((a, code) => ({ a, code })).filter((o) => shown.has(o.code));
    const key = operators.map((o) => o.code).join(",") + "|" + groups.map((g) => g.title + ":" + g.rows.map((r) => r.label).join(",")).join("|");
    this._box.setAttribute("data-garrison-legend-date", this._map.getContainer().getAttribute("data-garrison-date") || "");
    if (key === this._key) return;
    this._key = key;
    const body = this._body;
    body.textContent = "";
    const count = operators.length;
    this._summary.textContent = this.options.title + (count ? " \u00b7 " + count + (count === 1 ? " operator" : " operators") : "");
    if (!groups.length && !count) body.appendChild(text("div", "garrison-legend-empty", "Nothing in view at this date"));
    if (count) {
      const section = text("div", "garrison-legend-group garrison-legend-operators");
      section.appendChild(text("div", "garrison-legend-title", "Operators"));
      for (const { a } of operators) {
        const row = text("div", "garrison-legend-row garrison-legend-op-" + a.id), sw = text("span", "garrison-legend-swatch");
        sw.style.background = a.colour;
        row.appendChild(sw);
        row.appendChild(text("span", null, a.short));
        section.appendChild(row);
      }
      body.appendChild(section);
    }
    for (const group of groups) {
      const section = text("div", group.heading ? "garrison-legend-heading" : "garrison-legend-group");
      section.appendChild(text("div", "garrison-legend-title", group.title));
      for (const entry of group.rows) {
        const row = text("div", "garrison-legend-row");
        row.appendChild(entry.swatch || text("span", "garrison-legend-line " + (entry.line || "")));
        row.appendChild(text("span", null, entry.label));
        section.appendChild(row);
      }
      body.appendChild(section);
    }
  }
}
