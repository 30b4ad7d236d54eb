// Supply routes: a line per leg between two installations, shown while the route's period says
// so; a leg is drawn broken when either end is no longer held by the route operator's family
// (the node's status breaks routes, per the vocabulary, or another actor holds it).
/* global L */
import { nameText } from "./dom.js";
import { ENGLISH } from "./i18n.js";
import { periodAt } from "./time.js";

function activePeriod(route, day) {
  for (let k = route.periods.length - 1; k >= 0; k--) {
    const p = route.periods[k];
    if (p.start <= day) return (p.end === null || day < p.end) && p.status !== "abandoned" ? p : null;
  }
  return null;
}

export const RoutesLayer = L.LayerGroup.extend({
  options: { style: {}, legend: {}, filter: {} },

  initialize(options) {
    L.LayerGroup.prototype.initialize.call(this, []);
    L.setOptions(this, options);
    this._legs = [];
    this._words = ENGLISH;
  },

  setPayload(p) {
    this.clearLayers();
    this._p = p;
    this._legs = [];
    const weight = (this.options.style || {}).weight || 2.5;
    p.routes.forEach((route, index) => {
      for (let k = 0; k + 1 < route.nodes.length; k++) {
        const a = route.nodes[k], b = route.nodes[k + 1];
        const line = L.polyline([[p.col.lat[a], p.col.lon[a]], [p.col.lat[b], p.col.lon[b]]],
          { weight, className: "garrison-route garrison-route-" + route.id });
        // the data names routes in English only: marked as such in the other languages
        line.bindTooltip(() => nameText("span", null, { text: route.name, en: this._words.lang !== "en" }, this._words));
        this._legs.push({ route, index, a, b, line, shown: false });
      }
    });
  },

  _held(i, root, day) {
    const p = this._p, row = periodAt(p.col, i, day);
    if (row < 0 || p.looks.statuses[p.col.status[row]].breaks_route) return false;
    return p.actors[p.col.op[row]].root === root;
  },

  setState(state) {
    const p = this._p;
    if (!p) return;
    const st = this.options.style || {}, own = state.layers && state.layers[this.options.id];
    this._words = state.words || ENGLISH;
    for (const leg of this._legs) {
      const show = !!activePeriod(leg.route, state.day) && !(own && own.routes && !own.routes.has(leg.index));
      if (show && !leg.shown) this.addLayer(leg.line);
      if (!show && leg.shown) this.removeLayer(leg.line);
      leg.shown = show;
      if (!show) continue;
      const op = leg.route.op, root = op >= 0 ? p.actors[op].root : -1;
      const held = this._held(leg.a, root, state.day) && this._held(leg.b, root, state.day);
      leg.line.setStyle({ color: held ? (op >= 0 ? p.actors[op].colour : "#555") : st.broken_colour || "#9e9e9e",
        dashArray: held ? null : st.broken_dash || "4 6" });
      const path = leg.line.getElement && leg.line.getElement();
      if (path) path.classList.toggle("garrison-route-broken", !held);
    }
  },

  legend(bounds, words = this._words) {
    const lg = this.options.legend || {};
    return [{ title: words.layer(lg.title) || words.t("Supply routes"),
      rows: [{ line: "garrison-legend-routes", label: words.layer(lg.label) || words.t("Supply route") }] }];
  },
});
