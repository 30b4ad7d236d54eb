// The interface's words in the browser. They come from the same gettext catalogs as the page:
// the server puts this language's table into the component's data (garrison.i18n.browser_table),
// so there is no second, hand-kept list here. English is the messages themselves.
// Dates are written with the language's CLDR patterns and month names from the same table (the
// forms garrison.i18n.Messages.date writes); English has none and writes ISO dates.
// Names from the data come from the payload's `names` (render/payload.py translated_names): the
// English name stands in where the data has none in this language, and says so (nameOf).

const DAY_MS = 86400000;
const PRECISION = { 4: "year", 7: "month", 10: "day" };  // an ISO date's length

/** `pattern` (a CLDR date pattern: d, dd, M, MM, MMMM, LLLL, y, 'quoted') for a UTC date. */
export function formatPattern(pattern, date, months) {
  const y = date.getUTCFullYear(), m = date.getUTCMonth(), d = date.getUTCDate();
  let out = "";
  for (const [token] of pattern.matchAll(/'(?:[^']|'')*'|([a-zA-Z])\1*|[^'a-zA-Z]+/g)) {
    const c = token[0];
    if (c === "'") out += token.length === 2 ? "'" : token.slice(1, -1).replace(/''/g, "'");
    else if (c === "d") out += String(d).padStart(token.length, "0");
    else if (c === "y") out += token.length === 2 ? String(y % 100).padStart(2, "0") : String(y);
    else if (c === "M" || c === "L") {
      out += token.length >= 3 ? (months[(c === "L" ? "LLLL" : "MMMM")] || [])[m] || String(m + 1)
        : String(m + 1).padStart(token.length, "0");
    } else if (/[a-zA-Z]/.test(c)) out += token;  // a field these patterns do not use: left as it is
    else out += token;
  }
  return out;
}

export class Words {
  /** `table`: {lang, dir, messages: {"ctx\u0004msgid" | msgid: text | {one, few, many, other...}}, dates?}. */
  constructor(table) {
    const t = table || {};
    this.lang = t.lang || "en";
    this.dir = t.dir || "ltr";
    this.messages = t.messages || {};
    this.dates = t.dates || null;
    this._plural = new Intl.PluralRules(this.lang);
    this._number = new Intl.NumberFormat(this.lang);
  }

  /** The message in this language (the message itself where the catalog has none). */
  t(message) {
    const found = this.messages[message];
    return typeof found === "string" && found ? found : message;
  }

  /** A message with a context (e.g. pt("status", "blockaded")). */
  pt(context, message) {
    const found = this.messages[context + "\u0004" + message];
    return typeof found === "string" && found ? found : message;
  }

  /** The plural form for n, with `{n}` replaced by n as the language writes numbers. */
  nt(singular, plural, n) {
    const forms = this.messages[singular];
    let form = n === 1 ? singular : plural;
    if (forms && typeof forms === "object") form = forms[this._plural.select(n)] || forms.other || form;
    return form.replace("{n}", this._number.format(n));
  }

  /** A number as the language writes it. */
  number(n) {
    return this._number.format(n);
  }

  /** A vocabulary term (kind, status, confidence) by its id, as garrison.i18n.Messages.term. */
  term(context, id) {
    return this.pt(context, String(id).replace(/_/g, " "));
  }

  /** A layer file's name, legend title or label (their catalog context is "layer"). */
  layer(value) {
    return value ? this.pt("layer", value) : value;
  }

  /** A day (days since 1970-01-01) as this language writes a full date (ISO in English). */
  day(dayNumber) {
    return this.date(new Date(dayNumber * DAY_MS).toISOString().slice(0, 10));
  }

  /** An ISO date at its own precision: "2017", "ноябрь 2015", "8 декабря 2024 г." (as it is in English). */
  date(iso) {
    const precision = PRECISION[String(iso || "").length];
    if (!this.dates || !precision) return iso;
    const [y, m, d] = iso.split("-").map(Number), date = new Date(Date.UTC(y, (m || 1) - 1, d || 1));
    date.setUTCFullYear(y);  // years before 100 stay themselves
    return formatPattern(this.dates[precision], date, this.dates.months || {});
  }

  /**
   * A name from the data in this language: {text, en}, en = true where the English name stands in
   * for one the data does not give. `part`: "inst" (by installation index) or "actors" (by code).
   */
  nameOf(payload, part, index, english) {
    const own = this.lang !== "en" && payload && payload.names && payload.names[this.lang];
    const found = own && own[part] && own[part][index];
    return found ? { text: found, en: false } : { text: english, en: this.lang !== "en" };
  }

  /** The short mark after an English name that stands in for this language's (a tooltip, the legend). */
  englishMark() {
    // i18n: after a name the data gives only in English (e.g. "Khmeimim (English)"); keep it short
    return this.pt("name", "(English)");
  }

  /** The longer note on an English name that stands in (the map's labels' title). */
  englishNote() {
    // i18n: the hover text of a name the data gives only in English
    return this.t("The data has no name in this language: this is the English name");
  }
}

export const ENGLISH = new Words({ lang: "en", dir: "ltr", messages: {} });
