// Wrap-ups: after each chat a short anonymous registration (or skip). While one is open the
// server refuses new chats; the console says why and offers the next chat once it is done.
import { t } from "./i18n.js";
import { clone, el, slot, toast } from "./dom.js";
import { errorText } from "./net.js";

export class WrapUps {
  constructor(app) {
    this.app = app;
    this.open = new Map(); // wrap-up id -> form element
    this.orphans = document.getElementById("orphan-wrapups");
  }

  get count() {
    return this.open.size;
  }

  // Server event `wrap_up`: {id, conversation_id|null}.
  add({ id, conversation_id: cid }) {
    if (this.open.has(id)) return;
    const form = this._form(id);
    this.open.set(id, form);
    const pane = cid && this.app.chats.get(cid);
    if (pane) {
      pane.wrapUpId = id;
      // How it ended, as the chat told it (a quick exit is registered as one).
      if (pane.ending) form.querySelector('select[name="ended"]').value = pane.ending;
      pane.attachWrapUp(form);
    } else {
      this.orphans.append(el("section", { className: "panel orphan", dataset: { wrapup: id } },
        el("p", { className: "muted", text: t("wrapup.pending") }), form));
    }
    this.app.refresh();
  }

  _form(id) {
    const form = clone("tpl-wrapup");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this._submit(id, form, false);
    });
    form.querySelector('[data-action="skip"]').addEventListener("click", () => this._submit(id, form, true));
    return form;
  }

  async _submit(id, form, skip) {
    const error = slot(form, "error");
    const data = new FormData(form);
    const payload = skip ? { id, skip: true } : {
      id, category: data.get("category"), age_band: data.get("age_band"),
      outcome: data.get("outcome"), debrief: data.get("debrief") === "on",
      ended: data.get("ended") || undefined, heavy: data.get("heavy") === "on",
    };
    if (!skip && (!payload.category || !payload.outcome)) {
      error.textContent = t("wrapup.required");
      error.hidden = false;
      return;
    }
    const ack = await this.app.call("wrap_up", payload);
    if (!ack.ok && ack.error?.code !== "not_found") {
      error.textContent = t("error.generic", { message: errorText(ack) });
      error.hidden = false;
      return;
    }
    if (!skip) toast(t("wrapup.saved"));
    this.closed({ id });
  }

  // Submitted or skipped here or in another tab (server event `wrap_up_closed`).
  closed({ id }) {
    if (!this.open.delete(id)) return;
    this.orphans.querySelector(`[data-wrapup="${CSS.escape(id)}"]`)?.remove();
    for (const pane of this.app.chats.values()) {
      if (pane.wrapUpId === id) this.app.removePane(pane);
    }
    this.app.refresh({ offerNext: this.open.size === 0 });
  }
}
