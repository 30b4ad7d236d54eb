// The map's title and date, drawn on the map itself (a Leaflet control in the top-left corner,
// above the zoom buttons), so that a screenshot of the map keeps what it shows and when.
// The date follows every step of the timeline in the browser (a drag, a play), with no server
// round trip: main.js calls setDate from its restyle, with the reader's words: the date is written
// in the language's own form (i18n.js; ISO in English), and the title is the app's name.
/* global L */
import { text } from "./dom.js";
import { ENGLISH } from "./i18n.js";

export const TitleControl = L.Control.extend({
  options: { position: "topleft", title: "Garrison" },

  onAdd() {
    const box = text("div", "garrison-title leaflet-control");
    box.setAttribute("data-testid", "garrison-map-title");
    box.appendChild(text("div", "garrison-title-name", this.options.title));
    this._date = text("div", "garrison-title-date", this._shown || "");
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

  /** Show `iso` (the slider's date, at its precision: a day) as `words` write it. */
  setDate(iso, words = ENGLISH) {
    const shown = words.date(iso);
    if (shown === this._shown && words.dir === this._dir) return;
    this._shown = shown;
    this._dir = words.dir;
    if (!this._date) return;
    this._date.textContent = shown;
    this._date.setAttribute("data-garrison-iso", iso);
    this._date.dir = words.dir;  // "8 ديسمبر 2024" reads right to left inside the left-to-right map
  },
});
