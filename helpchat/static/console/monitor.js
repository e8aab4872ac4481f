// A supervisor's read-only view of someone else's chat, live, with whispers to its counselor.
import { staffName, t } from "./i18n.js";
import { slot, toast } from "./dom.js";
import { errorText } from "./net.js";
import { Composer } from "./composer.js";
import { LiveConversationView } from "./live_view.js";

export class MonitorPane extends LiveConversationView {
  constructor(app, conversation, whispers) {
    super(app, conversation, "tpl-monitor");
    this.root.dataset.monitor = this.id;
    this.setCounselor(conversation.counselor_name ?? "");
    whispers.forEach((w) => this.onWhisper(w));
    this.composer = new Composer(this.root, { onSend: (text) => this.whisper(text) });
    this.root.querySelector('[data-action="stop"]').addEventListener("click", () => app.stopMonitor(this.id));
    this.root.querySelector('[data-action="take_over"]').addEventListener("click", () => app.takeOver(this.id, this.counselorName));
    this.tick();
  }

  setCounselor(name) {
    name = staffName(name);
    this.counselorName = name;
    slot(this.root, "pseudonym").textContent = t("monitor.with", { pseudonym: this.pseudonym, name });
    const input = slot(this.root, "input");
    input.placeholder = t("monitor.whisper_placeholder", { name });
    input.setAttribute("aria-label", t("monitor.whisper_label", { name }));
  }

  async whisper(text) {
    const ack = await this.app.call("whisper", { conversation_id: this.id, text });
    if (ack.ok) this.onWhisper(ack.whisper);
    else toast(t("error.generic", { message: errorText(ack) }), "error");
  }

  onWhisper(whisper) {
    const from = staffName(whisper.from_name);
    const label = whisper.kind === "takeover" ? t("chat.takeover_note_from", { name: from })
      : whisper.from_name === this.app.me.shown_name
      ? t("monitor.whisper_sent", { name: this.counselorName })
      : t("chat.whisper_from", { name: from });
    this.transcript.whisper(whisper, label);
  }

  end() {
    if (this.ended) return;
    this.ended = true;
    this.root.classList.add("ended");
    this.composer.disable();
    slot(this.root, "composer").hidden = true;
    this.root.querySelector('[data-action="take_over"]').hidden = true;
    this.transcript.notice(t("monitor.ended"), "end");
  }
}
