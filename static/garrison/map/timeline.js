// The timeline: the Date slider (role slider, name "Date"), previous/next change, play/pause with
// speed and step. Dragging and playing happen here, with no server round trip per frame; the
// owner hears every day (to restyle) and, separately, when a move is over (to tell the server).
import { ENGLISH } from "./i18n.js";
import { DAY_MS, isoDay, step, stepChange } from "./time.js";

// The labels are written out in t() calls so that the catalogs' extractor finds them.
const SPEEDS = [[(w) => w.t("slow (1 s)"), 1000], [(w) => w.t("normal (0.5 s)"), 500],
  [(w) => w.t("fast (0.25 s)"), 250], [(w) => w.t("fastest (60 fps)"), 16]];
const STEPS = [["day", (w) => w.t("step: day")], ["month", (w) => w.t("step: month")], ["change", (w) => w.t("step: change")]];
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
  constructor(root, { first, last, changeDays, onDay, onSettle, words = ENGLISH }) {
    this.words = words;
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
    this.prev = el("button", { type: "button", class: "garrison-btn" });
    this.next = el("button", { type: "button", class: "garrison-btn" });
    this.play = el("button", { type: "button", class: "garrison-btn garrison-play", "aria-pressed": "false" });
    this.speed = el("select", { class: "garrison-select" });
    SPEEDS.forEach(([, ms], k) => { const o = el("option", { value: String(ms) }); if (k === 1) o.selected = true; this.speed.appendChild(o); });
    this.unit = el("select", { class: "garrison-select" });
    STEPS.forEach(([s]) => { const o = el("option", { value: s }); if (s === "month") o.selected = true; this.unit.appendChild(o); });
    [this.prev, this.next, this.play, this.speed, this.unit].forEach((b) => buttons.appendChild(b));
    top.appendChild(buttons);
    box.appendChild(top);
    this.slider = el("input", { type: "range", class: "garrison-slider", min: String(this.first),
      max: String(this.last), step: "1" });
    box.appendChild(this.slider);
    const ends = el("div", { class: "garrison-timeline-ends" });
    ends.appendChild(el("span", {}));
    ends.appendChild(el("span", {}));
    box.appendChild(ends);
    root.appendChild(box);
    this.relabel(this.words);

    this.slider.addEventListener("input", () => this._set(+this.slider.value, false));
    this.slider.addEventListener("change", () => this._settle());
    this.slider.addEventListener("keydown", (e) => this._key(e));
    this.slider.addEventListener("keyup", (e) => { if (KEYS.has(e.key)) this._settle(); });  // once a held key is let go
    this.prev.addEventListener("click", () => this._jump(-1));
    this.next.addEventListener("click", () => this._jump(+1));
    this.play.addEventListener("click", () => (this._timer ? this.stop() : this.start()));
    this.speed.addEventListener("change", () => { if (this._timer) { this.stop(false); this.start(); } });
  }

  /** Every label in the language of `words` (the reader switched languages). */
  relabel(words) {
    this.words = words;
    this.prev.textContent = "◀ " + words.t("Previous change");
    this.next.textContent = words.t("Next change") + " ▶";
    this._labelPlay();
    this.speed.setAttribute("aria-label", words.t("Speed"));
    [...this.speed.options].forEach((o, k) => { o.textContent = SPEEDS[k][0](words); });
    this.unit.setAttribute("aria-label", words.t("Step"));
    [...this.unit.options].forEach((o, k) => { o.textContent = STEPS[k][1](words); });
    // i18n: the accessible name of the timeline's slider
    this.slider.setAttribute("aria-label", words.t("Date"));
    this._labelEnds();
    if (this._shown) this._labelDay();
  }

  // the slider's ends and its date, as the language writes a date (ISO in English)
  _labelEnds() {
    const ends = this.box.querySelector(".garrison-timeline-ends").children;
    ends[0].textContent = this.words.day(this.first);
    ends[1].textContent = this.words.day(this.last);
  }

  _labelDay() {
    const shown = this.words.day(this.day);
    this.slider.setAttribute("aria-valuetext", shown);
    this.dateText.textContent = shown;
    this.dateText.dir = this.words.dir;
  }

  _labelPlay() {
    this.play.textContent = this._timer ? "⏸ " + this.words.t("Pause") : "▶ " + this.words.t("Play");
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
    this._labelEnds();
  }

  get playing() { return this._timer !== null; }

  start() {
    if (this._timer) return;
    if (this.day >= this.last) this._set(this.first, false);
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
    this._labelPlay();
  }

  stop(settle = true) {
    if (this._timer === null) return;
    cancelAnimationFrame(this._timer);
    this._timer = null;
    this._labelPlay();
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
    this._labelDay();
    this.dateText.setAttribute("data-garrison-iso", isoDay(day));
    if (changed || !this._shown) { this._shown = true; this.onDay(day); }
    if (settle) this._settle();
  }

  _settle() {
    this.onSettle(this.day);
  }
}
