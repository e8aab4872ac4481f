// Canned responses: a menu under the composer, opened with its button or by typing "/" at the
// start of an empty message; the chosen text is inserted for editing, never sent directly.
// Offered in the youth's language, whatever the console's: the same position in each
// language's list is the same response, so "/safe" in an English console finds the Dutch
// "Ben je op dit moment veilig?" for a Dutch youth. Where the youth's language has no text, the
// console's own is offered with a visible marker.
import { config, langLabel, t } from "./i18n.js";
import { el } from "./dom.js";

let byLang = {};

export function setCannedResponses(ack) {
  byLang = ack.by_lang ?? { [config.lang]: ack.items ?? [] };
}

// [{text, lang, alt, fallback}] for a youth writing `youthLang`.
export function cannedFor(youthLang) {
  const own = byLang[youthLang] ?? [];
  const others = Object.entries(byLang).filter(([lang]) => lang !== youthLang);
  const length = Math.max(own.length, ...others.map(([, list]) => list.length));
  const found = [];
  for (let i = 0; i < length; i += 1) {
    const alts = others.map(([lang, list]) => ({ lang, text: list[i] })).filter((a) => a.text);
    if (own[i]) {
      found.push({ text: own[i], lang: youthLang, alt: alts.find((a) => a.lang === config.lang)?.text ?? "", fallback: false });
    } else {
      const mine = alts.find((a) => a.lang === config.lang) ?? alts[0];
      if (mine) found.push({ text: mine.text, lang: mine.lang, alt: "", fallback: true });
    }
  }
  return found;
}

export class CannedMenu {
  // onFallback(item | null): the composer says when the text is not in the youth's language.
  constructor(menu, input, youthLang, onFallback = () => {}) {
    this.menu = menu;
    this.input = input;
    this.youthLang = youthLang;
    this.onFallback = onFallback;
    this.active = 0;
    this.matches = [];
    menu.addEventListener("mousedown", (event) => event.preventDefault()); // keep focus in input
  }

  get open() {
    return !this.menu.hidden;
  }

  // The text after a leading "/" filters the list; null when the menu should close.
  _query() {
    const value = this.input.value;
    return value.startsWith("/") && !value.includes("\n") ? value.slice(1).toLowerCase() : null;
  }

  _item(item, index) {
    const showAlt = item.alt && item.alt !== item.text;
    return el("li", {
      className: `canned-item${item.fallback ? " canned-fallback" : ""}`,
      attrs: { role: "option", "aria-selected": String(index === 0) },
      on: { click: () => this.choose(index) },
    },
    el("span", { className: "canned-text", text: item.text, attrs: { lang: item.lang } }),
    item.fallback ? el("span", { className: "badge badge-lang-fallback",
      text: t("canned.fallback", { lang: langLabel(item.lang) }) }) : null,
    showAlt ? el("span", { className: "canned-alt", text: item.alt, attrs: { lang: config.lang } }) : null);
  }

  show(filter = "") {
    this.matches = cannedFor(this.youthLang).filter((item) =>
      item.text.toLowerCase().includes(filter) || item.alt.toLowerCase().includes(filter));
    this.active = 0;
    this.menu.setAttribute("aria-label", t("canned.label", { lang: langLabel(this.youthLang) }));
    this.menu.replaceChildren(...(this.matches.length
      ? this.matches.map((item, index) => this._item(item, index))
      : [el("li", { className: "canned-empty", text: t("chat.canned_empty") })]));
    this.menu.hidden = false;
  }

  hide() {
    this.menu.hidden = true;
  }

  toggle() {
    if (this.open) this.hide(); else this.show(this._query() ?? "");
    this.input.focus();
  }

  choose(index) {
    const item = this.matches[index];
    if (item === undefined) return;
    this.input.value = item.text;
    this.hide();
    this.input.focus();
    this.input.setSelectionRange(item.text.length, item.text.length);
    this.input.dispatchEvent(new Event("input"));
    this.onFallback(item.fallback ? item : null);
  }

  _move(step) {
    if (!this.matches.length) return;
    this.active = (this.active + step + this.matches.length) % this.matches.length;
    this.menu.querySelectorAll("li").forEach((li, index) => {
      li.setAttribute("aria-selected", String(index === this.active));
      if (index === this.active) li.scrollIntoView({ block: "nearest" });
    });
  }

  // Called on every input: "/" opens and filters, anything else closes.
  onInput() {
    const query = this._query();
    if (query === null) this.hide(); else this.show(query);
    if (!this.input.value) this.onFallback(null);
  }

  // True when the key was the menu's (the composer must not act on it).
  onKeydown(event) {
    if (!this.open) return false;
    const keys = {
      ArrowDown: () => this._move(1),
      ArrowUp: () => this._move(-1),
      Enter: () => this.choose(this.active),
      Tab: () => this.choose(this.active),
      Escape: () => this.hide(),
    };
    const action = keys[event.key];
    if (!action) return false;
    event.preventDefault();
    action();
    return true;
  }
}
