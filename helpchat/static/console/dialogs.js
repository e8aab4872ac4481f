// End (with a confirmation), transfer (a colleague with room, or the front of the queue, with a
// note for the receiver), take-over (a supervisor's note for the counselor), block (with a
// reason) and shed (a test/prank/abusive contact, maybe blocked), each a native <dialog>.
import { staffName, t } from "./i18n.js";
import { el, slot, toast } from "./dom.js";
import { errorText } from "./net.js";

function ask(dialog) {
  return new Promise((resolve) => {
    dialog.returnValue = "cancel";
    dialog.addEventListener("close", () => resolve(dialog.returnValue), { once: true });
    dialog.showModal();
  });
}

export class Dialogs {
  constructor(app) {
    this.app = app;
  }

  async _do(event, payload) {
    const ack = await this.app.call(event, payload);
    if (!ack.ok) toast(t("error.generic", { message: errorText(ack) }), "error");
    return ack.ok;
  }

  async end(pane) {
    const dialog = document.getElementById("dlg-end");
    slot(dialog, "text").textContent = t("end.text", { pseudonym: pane.pseudonym });
    if (await ask(dialog) === "ok") await this._do("end_chat", { conversation_id: pane.id });
  }

  async transfer(pane) {
    const dialog = document.getElementById("dlg-transfer");
    slot(dialog, "text").textContent = t("transfer.text", { pseudonym: pane.pseudonym });
    const ack = await this.app.call("colleagues", {});
    const colleagues = ack.ok ? ack.colleagues : [];
    const option = (value, label, checked) => el("label", { className: "choice" },
      el("input", { attrs: { type: "radio", name: "transfer-to", value, ...(checked ? { checked: "" } : {}) } }),
      el("span", { text: label }));
    slot(dialog, "choices").replaceChildren(
      ...colleagues.map((c, index) => option(c.id, t("transfer.colleague",
        { name: staffName(c.name), active: c.active_chats, max: c.max_chats }), index === 0)),
      option("queue", t("transfer.queue"), colleagues.length === 0));
    slot(dialog, "none").hidden = colleagues.length > 0;
    const note = dialog.querySelector("textarea");
    note.value = "";
    if (await ask(dialog) !== "ok") return;
    const chosen = dialog.querySelector('input[name="transfer-to"]:checked')?.value;
    if (!chosen) return;
    await this._do("transfer", { conversation_id: pane.id, to: chosen === "queue" ? null : chosen,
      note: note.value.trim() || undefined });
  }

  // {note} to go ahead, null when cancelled.
  async takeOver(counselorName, offDuty) {
    const dialog = document.getElementById("dlg-takeover");
    slot(dialog, "text").textContent = t("takeover.text", { name: counselorName ?? "" });
    slot(dialog, "duty").hidden = !offDuty;
    const note = dialog.querySelector("textarea");
    note.value = "";
    if (await ask(dialog) !== "ok") return null;
    return { note: note.value.trim() || undefined };
  }

  async block(pane) {
    const dialog = document.getElementById("dlg-block");
    slot(dialog, "text").textContent = t("block.text", { pseudonym: pane.pseudonym });
    const reason = dialog.querySelector("textarea");
    reason.value = "";
    if (await ask(dialog) !== "ok" || !reason.value.trim()) return;
    await this._do("block", { conversation_id: pane.id, reason: reason.value.trim() });
  }

  async shed(pane) {
    const dialog = document.getElementById("dlg-shed");
    slot(dialog, "text").textContent = t("shed.text", { pseudonym: pane.pseudonym });
    dialog.querySelector('input[name="shed-kind"]').checked = true;
    dialog.querySelector('input[name="shed-block"]').checked = false;
    if (await ask(dialog) !== "ok") return;
    const kind = dialog.querySelector('input[name="shed-kind"]:checked')?.value;
    if (!kind) return;
    const block = dialog.querySelector('input[name="shed-block"]').checked;
    await this._do("shed", { conversation_id: pane.id, kind, block });
  }
}
