// The legend: a folding panel listing the operators on the map and each layer's own entries
// (the layers paint their swatches with the map's own painter).
/* global L */
import { text } from "./dom.js";

export const Legend = L.Control.extend({
  options: { position: "bottomright", title: "Legend" },

  initialize(layers, options) {
    L.setOptions(this, options);
    this._layers = layers;
  },

  onAdd(map) {
    const box = (this._box = text("details", "garrison-legend-box leaflet-bar"));
    box.open = map.getSize().x >= 900;  // folded on a narrow map, where it would cover much of it
    box.appendChild(text("summary", "garrison-legend-summary", this.options.title));
    this._body = text("div", "garrison-legend");
    box.appendChild(this._body);
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    this.refresh();
    return box;
  },

  /** Rebuild from the payload (operators that appear in it) and the layers' own entries. */
  refresh(payload) {
    if (payload) this._p = payload;
    if (!this._body || !this._p) return;
    const p = this._p, body = this._body;
    body.textContent = "";
    const used = new Set(p.col.op);
    const operators = this._layers.some((l) => l.options.legend && l.options.legend.show_operators !== false && "show_operators" in l.options.legend)
      || !this._layers.some((l) => l.options.legend && l.options.legend.show_operators === false);
    if (operators) body.appendChild(text("div", "garrison-legend-title", "Operators"));
    p.actors.forEach((a, code) => {
      if (!operators || !used.has(code)) return;
      const row = text("div", "garrison-legend-row garrison-legend-op-" + a.id), sw = text("span", "garrison-legend-swatch");
      sw.style.background = a.colour;
      row.appendChild(sw);
      row.appendChild(text("span", null, a.short));
      body.appendChild(row);
    });
    for (const layer of this._layers) {
      for (const group of layer.legend()) {
        const section = text("div", "garrison-legend-group");
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
  },
});
