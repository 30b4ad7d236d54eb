// The timeline: the Date slider (role slider, name "Date"), previous/next change, play/pause with
// speed and step. Dragging and playing happen here, with no server round trip per frame; the
// owner hears every day (to restyle) and, separately, when a move is over (to tell the server).
import { DAY_MS, isoDay, step, stepChange } from "./time.js";

const SPEEDS = [["slow (1 s)", 1000], ["normal (0.5 s)", 500], ["fast (0.25 s)", 250], ["fastest (60 fps)", 16]];
const STEPS = ["day", "month", "change"];
const KEYS = new Set(["PageUp", "PageDown", "Home", "End", "ArrowRight", "ArrowUp", "ArrowLeft", "ArrowDown"]);

function el(tag, attrs, textValue) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (textValue !== undefined) e.textContent = textValue;
  return e;
}

function addMonths(day, n) {
  const d = new Date(day * DAY_MS), y = d.getUTCFullYear(), m = d.getUTCMonth() + n;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), last)) / DAY_MS;
}

export class Timeline {
  /** `onDay(day)` on every change of day; `onSettle(day)` once a drag, key press or play is over. */
  constructor(root, { first, last, changeDays, onDay, onSettle }) {
    this.first = first;
    this.last = last;
    this.changeDays = changeDays;
    this.onDay = onDay;
    this.onSettle = onSettle;
    this.day = last;
    this._timer = null;
    this._build(root);
  }

  _build(root) {
    const box = (this.box = el("div", { class: "garrison-timeline" }));
    const top = el("div", { class: "garrison-timeline-top" });
    this.dateText = el("div", { class: "garrison-date", "data-testid": "garrison-date", "aria-live": "polite" });
    top.appendChild(this.dateText);
    const buttons = el("div", { class: "garrison-timeline-buttons" });
    this.prev = el("button", { type: "button", class: "garrison-btn" }, "◀ Previous change");
    this.next = el("button", { type: "button", class: "garrison-btn" }, "Next change ▶");
    this.play = el("button", { type: "button", class: "garrison-btn garrison-play", "aria-pressed": "false" }, "▶ Play");
    this.speed = el("select", { "aria-label": "Speed", class: "garrison-select" });
    SPEEDS.forEach(([label, ms], k) => { const o = el("option", { value: String(ms) }, label); if (k === 1) o.selected = true; this.speed.appendChild(o); });
    this.unit = el("select", { "aria-label": "Step", class: "garrison-select" });
    STEPS.forEach((s) => { const o = el("option", { value: s }, "step: " + s); if (s === "month") o.selected = true; this.unit.appendChild(o); });
    [this.prev, this.next, this.play, this.speed, this.unit].forEach((b) => buttons.appendChild(b));
    top.appendChild(buttons);
    box.appendChild(top);
    this.slider = el("input", { type: "range", "aria-label": "Date", class: "garrison-slider", min: String(this.first),
      max: String(this.last), step: "1" });
    box.appendChild(this.slider);
    const ends = el("div", { class: "garrison-timeline-ends" });
    ends.appendChild(el("span", {}, isoDay(this.first)));
    ends.appendChild(el("span", {}, isoDay(this.last)));
    box.appendChild(ends);
    root.appendChild(box);

    this.slider.addEventListener("input", () => this._set(+this.slider.value, false));
    this.slider.addEventListener("change", () => this._settle());
    this.slider.addEventListener("keydown", (e) => this._key(e));
    this.slider.addEventListener("keyup", (e) => { if (KEYS.has(e.key)) this._settle(); });  // once a held key is let go
    this.prev.addEventListener("click", () => this._jump(-1));
    this.next.addEventListener("click", () => this._jump(+1));
    this.play.addEventListener("click", () => (this._timer ? this.stop() : this.start()));
    this.speed.addEventListener("change", () => { if (this._timer) { this.stop(false); this.start(); } });
  }

  /** Show `day` (from the server or a link) without telling the server back. */
  show(day) {
    this._set(Math.min(Math.max(day, this.first), this.last), false);
  }

  setRange(first, last, changeDays) {
    this.first = first;
    this.last = last;
    this.changeDays = changeDays;
    this.slider.min = String(first);
    this.slider.max = String(last);
    const ends = this.box.querySelector(".garrison-timeline-ends").children;
    ends[0].textContent = isoDay(first);
    ends[1].textContent = isoDay(last);
  }

  get playing() { return this._timer !== null; }

  start() {
    if (this._timer) return;
    if (this.day >= this.last) this._set(this.first, false);
    this.play.textContent = "⏸ Pause";
    this.play.setAttribute("aria-pressed", "true");
    const every = +this.speed.value;
    let due = performance.now() + every;
    const tick = (now) => {
      if (this._timer === null) return;
      if (now >= due) {  // steps at the chosen pace; a slow frame is not made up with a burst
        due = Math.max(due + every, now);
        const next = step(this.day, this.unit.value, +1, this.changeDays, this.first, this.last);
        this._set(next, false);
        if (next >= this.last) { this.stop(); return; }
      }
      this._timer = requestAnimationFrame(tick);
    };
    this._timer = requestAnimationFrame(tick);
  }

  stop(settle = true) {
    if (this._timer === null) return;
    cancelAnimationFrame(this._timer);
    this._timer = null;
    this.play.textContent = "▶ Play";
    this.play.setAttribute("aria-pressed", "false");
    if (settle) this._settle();
  }

  _jump(dir) {
    const target = stepChange(this.changeDays, this.day, dir);
    if (target === null) return;
    this._set(Math.min(Math.max(target, this.first), this.last), false);
    this._settle();
  }

  _key(e) {
    let next = null;
    if (e.key === "PageUp") next = addMonths(this.day, +1);
    else if (e.key === "PageDown") next = addMonths(this.day, -1);
    else if (e.key === "Home") next = this.first;
    else if (e.key === "End") next = this.last;
    else if (e.key === "ArrowRight" || e.key === "ArrowUp") next = this.day + 1;
    else if (e.key === "ArrowLeft" || e.key === "ArrowDown") next = this.day - 1;
    if (next === null) return;
    e.preventDefault();
    this._set(Math.min(Math.max(next, this.first), this.last), false);
  }

  _set(day, settle) {
    const changed = day !== this.day;
    this.day = day;
    if (+this.slider.value !== day) this.slider.value = String(day);
    const iso = isoDay(day);
    this.slider.setAttribute("aria-valuetext", iso);
    this.dateText.textContent = iso;
    if (changed || !this._shown) { this._shown = true; this.onDay(day); }
    if (settle) this._settle();
  }

  _settle() {
    this.onSettle(this.day);
  }
}
