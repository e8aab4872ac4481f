// A supervisor's read-only view of someone else's chat, live, with whispers to its counselor.
import { formatDuration, pseudonym, t } from "./i18n.js";
import { clone, slot, toast } from "./dom.js";
import { errorText } from "./net.js";
import { Transcript } from "./transcript.js";
import { Composer } from "./composer.js";

export class MonitorPane {
  constructor(app, conversation, whispers) {
    this.app = app;
    this.id = conversation.id;
    this.pseudonym = pseudonym(conversation.pseudonym);
    this.startedMs = conversation.started_ms ?? app.now();
    this.root = clone("tpl-monitor");
    this.root.dataset.monitor = this.id;
    slot(this.root, "pseudonym").textContent = this.pseudonym;
    slot(this.root, "urgent").hidden = !conversation.urgent;
    this.transcript = new Transcript(slot(this.root, "transcript"), this.pseudonym);
    this.setCounselor(conversation.counselor_name ?? "");
    conversation.messages.forEach((msg) => this.transcript.add(msg));
    whispers.forEach((w) => this.onWhisper(w));
    this.composer = new Composer(this.root, { onSend: (text) => this.whisper(text) });
    this.root.querySelector('[data-action="stop"]').addEventListener("click", () => app.stopMonitor(this.id));
    this.root.querySelector('[data-action="take_over"]').addEventListener("click", () => app.takeOver(this.id));
    this.tick();
  }

  setCounselor(name) {
    this.counselorName = name;
    slot(this.root, "pseudonym").textContent = t("monitor.with", { pseudonym: this.pseudonym, name });
    const input = slot(this.root, "input");
    input.placeholder = t("monitor.whisper_placeholder", { name });
    input.setAttribute("aria-label", t("monitor.whisper_label", { name }));
  }

  tick() {
    slot(this.root, "elapsed").textContent = formatDuration((this.app.now() - this.startedMs) / 1000);
  }

  async whisper(text) {
    const ack = await this.app.call("whisper", { conversation_id: this.id, text });
    if (ack.ok) this.onWhisper(ack.whisper);
    else toast(t("error.generic", { message: errorText(ack) }), "error");
  }

  onMessage(msg) {
    this.transcript.add(msg);
    if (msg.sender === "visitor") this.onTyping(false);
  }

  onTyping(typing) {
    const line = slot(this.root, "typing");
    line.textContent = t("chat.typing", { pseudonym: this.pseudonym });
    line.hidden = !typing;
  }

  onPresence(connected) {
    slot(this.root, "offline").hidden = connected;
    this.transcript.notice(t(connected ? "chat.visitor_back" : "chat.visitor_left"), "presence");
  }

  onWhisper(whisper) {
    const label = whisper.from_name === this.app.me.name
      ? t("monitor.whisper_sent", { name: this.counselorName })
      : t("chat.whisper_from", { name: whisper.from_name });
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
