// Range rings: each installation's named radii, drawn only while deployed and while the
// installation is shown, in its operator's colour at the date.
/* global L */
import { periodAt, passes } from "./time.js";
import { ENGLISH } from "./i18n.js";

export const RangeRingsLayer = L.LayerGroup.extend({
  options: { style: {}, legend: {} },

  initialize(options) {
    L.LayerGroup.prototype.initialize.call(this, []);
    L.setOptions(this, options);
    this._rings = [];
  },

  setPayload(p) {
    this.clearLayers();
    this._p = p;
    const st = this.options.style || {};
    this._rings = p.ranges.map((r) => ({
      r, shown: false,
      circle: L.circle([p.col.lat[r.inst], p.col.lon[r.inst]], {
        radius: r.km * 1000, weight: st.weight || 1.5, dashArray: st.dash || null, fillOpacity: st.fill_opacity || 0.04,
        className: "garrison-range garrison-range-" + p.inst.id[r.inst], interactive: false,
      }),
    }));
  },

  setState(state) {
    const p = this._p;
    if (!p) return;
    const own = state.layers && state.layers[this.options.id];
    for (const c of this._rings) {
      const r = c.r, row = periodAt(p.col, r.inst, state.day);
      const show = r.start <= state.day && state.day < r.end && row >= 0 && passes(state.match, r.inst, row) && passes(own, r.inst, row);
      if (show && !c.shown) this.addLayer(c.circle);
      if (!show && c.shown) this.removeLayer(c.circle);
      c.shown = show;
      if (!show) continue;
      const colour = p.actors[p.col.op[row]].colour;
      c.circle.setStyle({ color: colour, fillColor: colour });
      const path = c.circle.getElement && c.circle.getElement();
      if (path) path.classList.toggle("garrison-range-selected", state.select === p.inst.id[r.inst]);
    }
  },

  legend(bounds, words = ENGLISH) {
    const lg = this.options.legend || {};
    // i18n: the range rings' legend (when the layer file gives no title or label)
    return [{ title: words.layer(lg.title) || words.t("Ranges"),
      rows: [{ line: "garrison-legend-range_rings", label: words.layer(lg.label) || words.t("Radius while deployed") }] }];
  },
});
