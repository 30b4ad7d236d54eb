// The interface's words in the browser. They come from the same gettext catalogs as the page:
// the server puts this language's table into the component's data (garrison.i18n.browser_table),
// so there is no second, hand-kept list here. English is the messages themselves.

export class Words {
  /** `table`: {lang, dir, messages: {"ctx\u0004msgid" | msgid: text | {one, few, many, other...}}}. */
  constructor(table) {
    const t = table || {};
    this.lang = t.lang || "en";
    this.dir = t.dir || "ltr";
    this.messages = t.messages || {};
    this._plural = new Intl.PluralRules(this.lang);
    this._number = new Intl.NumberFormat(this.lang);
    this._day = new Intl.DateTimeFormat(this.lang, { timeZone: "UTC", day: "numeric", month: "long", year: "numeric" });
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

  /** A day (days since 1970-01-01) as this language writes a full date. */
  day(dayNumber) {
    return this._day.format(new Date(dayNumber * 86400000));
  }
}

export const ENGLISH = new Words({ lang: "en", dir: "ltr", messages: {} });
