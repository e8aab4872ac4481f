// Attention cues: which pane the counselor is in, unread counts per pane, the tab title
// (unread and queue counts), and a gentle sound and notification for a youth's message in a
// pane that is not in front of the counselor. A counselor never has to scan panes to find who
// is waiting.
import { t } from "./i18n.js";

export class Attention {
  constructor(app) {
    this.app = app;
    this.focused = null; // conversation id of the pane the counselor is in
    this.baseTitle = document.title;
    app.chatsBox.addEventListener("focusin", (event) => this._focusFrom(event.target));
    app.chatsBox.addEventListener("pointerdown", (event) => this._focusFrom(event.target));
    document.addEventListener("visibilitychange", () => this._seenNow());
    window.addEventListener("focus", () => this._seenNow());
  }

  _focusFrom(target) {
    const article = target.closest?.("article.chat[data-cid]");
    if (article) this.focus(article.dataset.cid);
  }

  focus(id) {
    this.focused = id;
    this._seenNow();
  }

  // Is this pane in front of the counselor right now?
  sees(pane) {
    return !document.hidden && document.hasFocus() && this.focused === pane.id
      && this.app.switcher.shows(pane.id);
  }

  _seenNow() {
    const pane = this.app.chats.get(this.focused);
    if (pane && this.sees(pane)) pane.markRead();
  }

  // A youth's message arrived in `pane` (not during a resync of old messages).
  youthWrote(pane) {
    if (this.sees(pane)) return;
    pane.addUnread();
    this.app.notifier.message(pane.pseudonym, pane.id);
  }

  // Tab title: "2 nieuw · 3 wachtend – Console · helpchat".
  update() {
    const unread = [...this.app.chats.values()].reduce((sum, pane) => sum + pane.unread, 0);
    const waiting = this.app.queue.length;
    const parts = [];
    if (unread) parts.push(t("title.unread", { count: unread }));
    if (waiting) parts.push(t("title.queue", { count: waiting }));
    document.title = parts.length ? `${parts.join(" · ")} – ${this.baseTitle}` : this.baseTitle;
    this.app.switcher.update();
  }
}
