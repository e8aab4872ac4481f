// Phone and tablet layout: one view at a time (the queue, or one chat), switched from a bar that
// shows every chat with its unread count and the queue with its length. On a wide screen the
// bar is hidden and everything shows side by side.
import { t } from "./i18n.js";
import { el } from "./dom.js";

const NARROW = window.matchMedia("(max-width: 899px)");

export class Switcher {
  constructor(app) {
    this.app = app;
    this.bar = document.getElementById("switcher");
    this.view = "queue"; // "queue" or a conversation id
    NARROW.addEventListener("change", () => this._apply());
    this._apply();
  }

  get narrow() {
    return NARROW.matches;
  }

  shows(id) {
    return !this.narrow || this.view === id;
  }

  show(view) {
    this.view = view;
    this._apply();
    if (view !== "queue") this.app.attention.focus(view);
    this.update();
  }

  // A pane went away: fall back to another chat, else the queue.
  forget(id) {
    if (this.view !== id) return;
    const next = [...this.app.chats.keys(), ...this.app.monitors.keys()].find((other) => other !== id);
    this.show(next ?? "queue");
  }

  _apply() {
    document.body.dataset.view = this.view === "queue" ? "queue" : "chat";
    for (const pane of this._panes()) pane.root.classList.toggle("current", pane.id === this.view);
  }

  _panes() {
    return [...this.app.chats.values(), ...this.app.monitors.values()];
  }

  update() {
    // Redrawn on every count change: keep the keyboard focus on the same switch.
    const focused = this.bar.contains(document.activeElement) ? document.activeElement.dataset.view : null;
    const button = (view, label, count, extra = "") => el("button", {
      className: `switch${this.view === view ? " current" : ""}${extra}`,
      attrs: { type: "button", "aria-pressed": String(this.view === view) }, dataset: { view },
      on: { click: () => this.show(view) },
    }, el("span", { text: label }), count ? el("span", { className: "count", text: String(count) }) : null);
    this.bar.replaceChildren(
      button("queue", t("switcher.queue"), this.app.queue.length),
      ...this._panes().map((pane) => button(pane.id, pane.pseudonym, pane.unread ?? 0,
        `${pane.ended ? " ended" : ""}${pane.waitingLong ? " waiting" : ""}`)));
    if (focused) this.bar.querySelector(`[data-view="${CSS.escape(focused)}"]`)?.focus();
    this._apply();
  }
}
