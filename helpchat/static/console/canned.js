// Canned responses: a menu under the composer, opened with its button or by typing "/" at the
// start of an empty message; the chosen text is inserted for editing, never sent directly.
import { t } from "./i18n.js";
import { el } from "./dom.js";

let items = [];

export function setCannedResponses(list) {
  items = Array.isArray(list) ? list : [];
}

export class CannedMenu {
  constructor(menu, input) {
    this.menu = menu;
    this.input = input;
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

  show(filter = "") {
    this.matches = items.filter((text) => text.toLowerCase().includes(filter));
    this.active = 0;
    this.menu.replaceChildren(...(this.matches.length
      ? this.matches.map((text, index) => el("li", {
          className: "canned-item", text, attrs: { role: "option", "aria-selected": String(index === 0) },
          on: { click: () => this.choose(index) },
        }))
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
    const text = this.matches[index];
    if (text === undefined) return;
    this.input.value = text;
    this.hide();
    this.input.focus();
    this.input.setSelectionRange(text.length, text.length);
    this.input.dispatchEvent(new Event("input"));
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
