// What a counselor's chat pane and a supervisor's monitor pane share: the header, the live
// transcript, the elapsed time, and the visitor's typing and presence.
import { formatDuration, pseudonym, t } from "./i18n.js";
import { clone, slot } from "./dom.js";
import { Transcript } from "./transcript.js";

// A typing signal whose "stopped" got lost (closed tab, dropped connection) fades on its own.
const TYPING_TIMEOUT_MS = 10000;

export class LiveConversationView {
  constructor(app, conversation, template) {
    this.app = app;
    this.id = conversation.id;
    this.pseudonym = pseudonym(conversation.pseudonym);
    this.startedMs = conversation.started_ms ?? app.now();
    this.ended = false;
    this.root = clone(template);
    slot(this.root, "pseudonym").textContent = this.pseudonym;
    slot(this.root, "urgent").hidden = !conversation.urgent;
    this.transcript = new Transcript(slot(this.root, "transcript"), this.pseudonym);
    for (const msg of conversation.messages ?? []) this.transcript.add(msg);
  }

  tick() {
    slot(this.root, "elapsed").textContent = formatDuration((this.app.now() - this.startedMs) / 1000);
  }

  onMessage(msg) {
    this.transcript.add(msg);
    if (msg.sender === "visitor") this.onTyping(false);
  }

  onTyping(typing) {
    const line = slot(this.root, "typing");
    line.textContent = t("chat.typing", { pseudonym: this.pseudonym });
    line.hidden = !typing;
    clearTimeout(this.typingTimer);
    if (typing) this.typingTimer = setTimeout(() => { line.hidden = true; }, TYPING_TIMEOUT_MS);
  }

  onPresence(connected) {
    slot(this.root, "offline").hidden = connected;
    this.transcript.notice(t(connected ? "chat.visitor_back" : "chat.visitor_left"), "presence");
  }
}
