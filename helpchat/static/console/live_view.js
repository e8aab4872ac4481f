// What a counselor's chat pane and a supervisor's monitor pane share: the header (the youth's
// language, unread count), the live transcript, the elapsed time, how long the youth has been
// waiting for a reply, and the visitor's typing and presence.
import { config, formatClock, formatDuration, langLabel, minutesSince, pseudonym, t } from "./i18n.js";
import { clone, slot } from "./dom.js";
import { Transcript } from "./transcript.js";

// A typing signal whose "stopped" got lost (closed tab, dropped connection) fades on its own.
const TYPING_TIMEOUT_MS = 10000;

export class LiveConversationView {
  constructor(app, conversation, template) {
    this.app = app;
    this.id = conversation.id;
    this.pseudonym = pseudonym(conversation.pseudonym);
    this.lang = conversation.lang ?? config.lang;
    this.startedMs = conversation.started_ms ?? app.now();
    this.ended = false;
    this.unread = 0;
    this.waitingSince = null; // the youth's oldest message with no counselor reply after it
    this.waitingLong = false;
    this.root = clone(template);
    slot(this.root, "pseudonym").textContent = this.pseudonym;
    slot(this.root, "urgent").hidden = !conversation.urgent;
    const lang = slot(this.root, "lang");
    lang.textContent = this.lang.toUpperCase();
    lang.title = t("chat.lang_title", { lang: langLabel(this.lang) });
    lang.setAttribute("aria-label", lang.title);
    this.transcript = new Transcript(slot(this.root, "transcript"), this.pseudonym);
    this.merge(conversation.messages ?? []);
  }

  // Stored messages, live or from a resync: the transcript, and who spoke last.
  merge(messages) {
    for (const msg of messages) {
      this.transcript.add(msg);
      this._track(msg);
    }
  }

  _track(msg) {
    if (msg.sender === "visitor" && this.waitingSince === null) this.waitingSince = msg.ts_ms;
    if (msg.sender === "counselor") this.waitingSince = null;
  }

  tick() {
    const now = this.app.now();
    slot(this.root, "elapsed").textContent = formatDuration((now - this.startedMs) / 1000);
    const line = slot(this.root, "waiting");
    const long = !this.ended && this.waitingSince !== null
      && now - this.waitingSince >= config.reply_wait_alert_seconds * 1000;
    if (long) {
      line.textContent = t("chat.waiting_reply", { time: formatClock(this.waitingSince),
        minutes: minutesSince(this.waitingSince, now) });
    }
    line.hidden = !long;
    this.root.classList.toggle("waiting-long", long);
    if (long !== this.waitingLong) {
      this.waitingLong = long;
      this.app.attention.update();
    }
  }

  onMessage(msg) {
    this.merge([msg]);
    if (msg.sender === "visitor") this.onTyping(false);
    this.tick();
  }

  addUnread() {
    this.unread += 1;
    this._renderUnread();
  }

  markRead() {
    if (!this.unread) return;
    this.unread = 0;
    this._renderUnread();
  }

  _renderUnread() {
    const badge = slot(this.root, "unread");
    badge.textContent = t("chat.unread", { count: this.unread });
    badge.hidden = this.unread === 0;
    this.app.attention.update();
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
