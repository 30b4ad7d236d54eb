// The map's title and date, drawn on the map itself (a Leaflet control in the top-left corner,
// above the zoom buttons), so that a screenshot of the map keeps what it shows and when.
// The date follows every step of the timeline in the browser (a drag, a play), with no server
// round trip: main.js calls setDate from its restyle.
/* global L */
import { text } from "./dom.js";

export const TitleControl = L.Control.extend({
  options: { position: "topleft", title: "Garrison" },

  onAdd() {
    const box = text("div", "garrison-title leaflet-control");
    box.setAttribute("data-testid", "garrison-map-title");
    box.appendChild(text("div", "garrison-title-name", this.options.title));
    this._date = text("div", "garrison-title-date", this._iso || "");
    this._date.setAttribute("data-testid", "garrison-map-date");
    box.appendChild(this._date);
    L.DomEvent.disableClickPropagation(box);
    return box;
  },

  addTo(map) {
    L.Control.prototype.addTo.call(this, map);
    const corner = this._container.parentNode;  // first in its corner: above the zoom buttons
    if (corner && corner.firstChild !== this._container) corner.insertBefore(this._container, corner.firstChild);
    return this;
  },

  /** Show `iso` (the slider's date, at its precision: a day). */
  setDate(iso) {
    if (iso === this._iso) return;
    this._iso = iso;
    if (this._date) this._date.textContent = iso;
  },
});
