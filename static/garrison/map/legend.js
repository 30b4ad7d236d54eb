// The legend: a folding panel beside the map (a sheet under it when the component is narrow),
// never over the data. It lists only what the current view shows: the operators, statuses, kinds,
// confidences and positions of the installations in view at the date (the layers say which, from
// what they paint), rebuilt after a move or a restyle, and only when that set changed.
// Its colours are Streamlit's theme variables (garrison-map.css), so it reads in the dark theme.
// Every word is the reader's language (setWords): the operators' names from the data where it
// gives them in that language, else the English short name, marked as such.
import { nameText, text } from "./dom.js";
import { ENGLISH } from "./i18n.js";

const WIDE = 900;  // px of the component: from here on the legend stands beside the map

export class Legend {
  constructor(layers, options) {
    this.options = Object.assign({}, options);
    this.words = ENGLISH;
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
    this._summary = text("summary", "garrison-legend-summary", this._title());
    panel.setAttribute("aria-label", this._title());
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

  /** The legend's title: the one the map definition gave, else "Legend" in the reader's language. */
  _title() {
    return this.options.title || this.words.t("Legend");
  }

  /** The reader switched languages. */
  setWords(words) {
    this.words = words;
    if (this._box) this._box.setAttribute("aria-label", this._title());
    this.refresh();
  }

  /** The panel (as Leaflet's controls say): the exported pictures draw it beside the map. */
  getContainer() {
    return this._box;
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
      const part = layer.legend(bounds, this.words);  // an installations layer also says which operators it paints there
      for (const group of part) if (group.rows.length || group.heading) groups.push(group);
      if (part.operators) part.operators.forEach((code) => shown.add(code));
    }
    const operators = this._p.actors.map((a, code) => ({ a, code })).filter((o) => shown.has(o.code));
    const words = this.words, key = words.lang + "|" + operators.map((o) => o.code).join(",") + "|" + groups.map((g) => g.title + ":" + g.rows.map((r) => r.label).join(",")).join("|");
    this._box.setAttribute("data-garrison-legend-date", this._map.getContainer().getAttribute("data-garrison-date") || "");
    if (key === this._key) return;
    this._key = key;
    const body = this._body;
    body.textContent = "";
    const count = operators.length;
    // i18n: the folded legend's line, after its title: how many operators' colours are in view
    this._summary.textContent = this._title() + (count ? " \u00b7 " + words.nt("{n} operator", "{n} operators", count) : "");
    if (!groups.length && !count) body.appendChild(text("div", "garrison-legend-empty", words.t("Nothing in view at this date")));
    if (count) {
      const section = text("div", "garrison-legend-group garrison-legend-operators");
      // i18n: the legend's heading over the colours of the forces holding the installations in view
      section.appendChild(text("div", "garrison-legend-title", words.t("Operators")));
      for (const { a, code } of operators) {
        const row = text("div", "garrison-legend-row garrison-legend-op-" + a.id), sw = text("span", "garrison-legend-swatch");
        sw.style.background = a.colour;
        row.appendChild(sw);
        row.appendChild(nameText("span", null, words.nameOf(this._p, "actors", code, a.short), words));
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
