// One active chat of this counselor: transcript, composer, actions, end and wrap-up, and what
// keeps the counselor in the picture: who is watching, a handover's note, private chat-length
// nudges, and a greyed "handed to <colleague>" pane when the chat moved on.
import { config, langLabel, staffName, t } from "./i18n.js";
import { el, randomId, slot, toast } from "./dom.js";
import { errorText } from "./net.js";
import { Composer } from "./composer.js";
import { CannedMenu } from "./canned.js";
import { LiveConversationView } from "./live_view.js";

const RETRY_CODES = new Set(["offline", "timeout", "internal"]);
// Private nudges for the counselor only, never shown to anyone else (chat_length_nudge_minutes).
const NUDGE_MINUTES = config.nudge_minutes;

// The first nudge asks how the counselor is doing, the last suggests wrapping up.
function nudgeText(index, minutes) {
  const stage = index === 0 ? "first" : index === NUDGE_MINUTES.length - 1 ? "last" : "middle";
  // In the console's language: "40,5 minuten", not "40.5".
  return t(`chat.nudge_${stage}`, { minutes: new Intl.NumberFormat(config.lang).format(minutes) });
}

export class ChatPane extends LiveConversationView {
  constructor(app, conversation) {
    super(app, conversation, "tpl-chat");
    this.outbox = new Map(); // client_id -> text, until the server stored it
    this.root.dataset.cid = this.id;
    this._fill(conversation);
    this._wire();
    this.setWatchers(conversation.watchers ?? []);
    // Nudges already due when the pane opens (a reload) are not repeated.
    this.nudged = new Set(NUDGE_MINUTES.filter((m) => this._minutes() >= m));
    this.tick();
    slot(this.root, "older").hidden = !conversation.more;
  }

  // `take` and `assigned` carry the newest page only; older messages on request.
  async loadOlder() {
    const button = slot(this.root, "older");
    const oldest = this.transcript.list.querySelector("li[data-id]")?.dataset.id;
    button.disabled = true;
    const ack = await this.app.call("sync", { conversation_id: this.id, before: oldest });
    button.disabled = false;
    if (!ack.ok) {
      toast(t("error.generic", { message: errorText(ack) }), "error");
      return;
    }
    ack.messages.forEach((msg) => this.transcript.add(msg));
    button.hidden = !ack.more;
  }

  onFull() {
    this.transcript.notice(t("chat.full"), "end");
  }

  _minutes() {
    return (this.app.now() - this.startedMs) / 60000;
  }

  tick() {
    super.tick();
    NUDGE_MINUTES.forEach((minutes, index) => {
      if (this._minutes() >= minutes && !this.nudged.has(minutes)) {
        this.nudged.add(minutes);
        this.transcript.notice(nudgeText(index, minutes), "nudge");
      }
    });
  }

  _fill(conversation) {
    slot(this.root, "topic").textContent = conversation.topic ?? "";
    this._fillEarlier(conversation.earlier_thread);
    slot(this.root, "transcript").setAttribute("aria-label", t("chat.transcript", { pseudonym: this.pseudonym }));
    slot(this.root, "input").setAttribute("aria-label", t("chat.input_label", { pseudonym: this.pseudonym }));
  }

  // "Returning; earlier thread" and the thread: the question this young person came back
  // from, to you (they chose it). Only the counselor it was answered by gets it.
  _fillEarlier(earlier) {
    slot(this.root, "returning").hidden = !earlier;
    slot(this.root, "earlier").hidden = !earlier;
    if (!earlier) return;
    slot(this.root, "earlier-title").textContent = t("chat.earlier_thread", { label: earlier.label });
    slot(this.root, "earlier-list").replaceChildren(...earlier.messages.map((m) => {
      const visitor = m.sender === "visitor";
      return el("li", { className: `msg msg-${visitor ? "visitor" : "counselor"}` },
        el("p", { className: "bubble", text: m.text }),
        el("p", { className: "meta" }, el("span", { className: "who",
          text: visitor ? t("questions.visitor") : (staffName(m.counselor_name) ?? t("questions.counselor")) })));
    }));
  }

  _wire() {
    const input = slot(this.root, "input");
    const hint = slot(this.root, "canned-hint");
    this.canned = new CannedMenu(slot(this.root, "canned"), input, this.lang, (item) => {
      hint.hidden = !item;
      if (item) hint.textContent = t("canned.fallback_hint", { lang: langLabel(item.lang), youth: langLabel(this.lang) });
    });
    this.composer = new Composer(this.root, {
      onSend: (text) => this.send(text),
      onTyping: (typing) => this.app.call("typing", { conversation_id: this.id, typing }),
      keyHandler: (event) => this.canned.onKeydown(event),
    });
    slot(this.root, "older").addEventListener("click", () => this.loadOlder());
    input.addEventListener("input", () => this.canned.onInput());
    input.addEventListener("blur", () => this.canned.hide());
    const actions = {
      canned: () => this.canned.toggle(),
      help: () => this.askHelp(),
      transfer: () => this.app.dialogs.transfer(this),
      shed: () => this.app.dialogs.shed(this),
      block: () => this.app.dialogs.block(this),
      end: () => this.app.dialogs.end(this),
    };
    for (const [name, handler] of Object.entries(actions)) {
      this.root.querySelector(`[data-action="${name}"]`).addEventListener("click", handler);
    }
    slot(this.root, "transcript").addEventListener("click", (event) => {
      const row = event.target.closest("li.msg-pending");
      if (row && row.querySelector('[data-state="failed"]')) this._deliver(row.dataset.clientId);
    });
  }

  // --- sending: nothing typed is lost; a resend uses the same client_id, stored once ---------
  send(text) {
    const clientId = randomId("c");
    this.outbox.set(clientId, text);
    this.transcript.addPending(clientId, text);
    this._deliver(clientId);
  }

  async _deliver(clientId) {
    const text = this.outbox.get(clientId);
    if (text === undefined || this.ended) return;
    if (!this.app.socket.connected) {
      this.transcript.setPendingState(clientId, "queued");
      return;
    }
    this.transcript.setPendingState(clientId, "sending");
    const ack = await this.app.call("message", { conversation_id: this.id, client_id: clientId, text });
    if (ack.ok) {
      this.outbox.delete(clientId);
      this.app.learnClock(ack.message.ts_ms);
      this.merge([ack.message]);
      this.tick();
      return;
    }
    const code = ack.error?.code;
    // A burst of canned responses (rate_limited), or a Redis restart or failover (internal with a
    // hint): send it again a bit later, with the same client_id (stored once).
    if (code === "rate_limited" || (code === "internal" && ack.error.retry_after_ms)) {
      this.transcript.setPendingState(clientId, "queued");
      setTimeout(() => this._deliver(clientId), ack.error.retry_after_ms ?? 1000);
      return;
    }
    this.transcript.setPendingState(clientId, RETRY_CODES.has(code) ? "queued" : "failed");
    if (!RETRY_CODES.has(code)) toast(t("error.generic", { message: errorText(ack) }), "error");
  }

  flushOutbox() {
    for (const clientId of this.outbox.keys()) this._deliver(clientId);
  }

  // After a reconnect: fetch what was missed; a chat that is no longer ours has ended.
  // The server answers in pages: follow `more` until caught up.
  async resync() {
    let ack;
    let youthWrote = false;
    do {
      ack = await this.app.call("sync", { conversation_id: this.id, after: this.transcript.lastId ?? undefined });
      if (ack.ok) {
        this.merge(ack.messages);
        youthWrote ||= ack.messages.some((m) => m.sender === "visitor");
      }
    } while (ack.ok && ack.more && ack.messages.length);
    if (ack.ok) {
      this.flushOutbox();
      if (youthWrote && !this.app.attention.sees(this)) this.addUnread();
    } else if (["not_found", "forbidden"].includes(ack.error?.code)) {
      this.end(t("chat.ended_away"));
    }
  }

  // --- events ---------------------------------------------------------------------------------

  onMessage(msg) {
    super.onMessage(msg);
    if (msg.sender === "visitor") this.app.attention.youthWrote(this);
  }

  onWhisper(whisper) {
    const own = whisper.from_name === config.me.shown_name;
    const name = staffName(whisper.from_name);
    const label = whisper.kind === "handover" ? t("chat.handover_note", { name })
      : whisper.kind === "takeover" ? t(own ? "chat.takeover_note_own" : "chat.takeover_note_from",
        { name })
      : own ? t("chat.whisper_own")
      : t("chat.whisper_from", { name });
    this.transcript.whisper(whisper, label);
  }

  // "<supervisor> kijkt mee" while anyone monitors this chat.
  setWatchers(names) {
    const line = slot(this.root, "watchers");
    const others = names.filter((name) => name !== config.me.shown_name);
    line.textContent = others.length ? t("chat.watching", { names: others.map(staffName).join(", ") }) : "";
    line.hidden = others.length === 0;
  }

  async askHelp() {
    const ack = await this.app.call("need_help", { conversation_id: this.id });
    if (!ack.ok) toast(t("error.generic", { message: errorText(ack) }), "error");
    else if (ack.notified > 0) toast(t("chat.help_sent", { count: ack.notified }));
    else toast(t("chat.help_nobody"), "error", 10000);
  }

  // --- the end -----------------------------------------------------------------------------
  end(noticeText) {
    if (this.ended) return;
    this.ended = true;
    this.onTyping(false);
    this.composer.disable();
    this.canned.hide();
    slot(this.root, "composer").hidden = true;
    slot(this.root, "actions").hidden = true;
    slot(this.root, "watchers").hidden = true;
    this.root.classList.add("ended");
    this.transcript.notice(noticeText, "end");
    this.tick();
    this.app.attention.update();
    // Without a wrap-up on its way (ended while away, or by a system move) offer a close button.
    this.closeTimer = setTimeout(() => this._offerClose(), 1500);
  }

  // The chat moved on (transfer, take-over, back to the queue): readable, greyed, until closed.
  handedOver(text, note = null, noteFrom = "") {
    this.end(text);
    // A half-typed reply stays visible (read-only), so it can be copied or passed on.
    slot(this.root, "composer").hidden = !slot(this.root, "input").value;
    this.root.classList.add("handed");
    const line = slot(this.root, "handed");
    line.textContent = text;
    line.hidden = false;
    if (note) this.transcript.whisper({ id: `handover-${this.id}`, text: note, ts_ms: this.app.now() },
      t("chat.takeover_note", { name: noteFrom }));
    clearTimeout(this.closeTimer);
    this._offerClose();
  }

  _offerClose() {
    const foot = slot(this.root, "foot");
    if (foot.childElementCount) return;
    foot.append(el("button", { className: "button-small", text: t("chat.close"),
      attrs: { type: "button" }, on: { click: () => this.app.removePane(this) } }));
  }

  attachWrapUp(form) {
    clearTimeout(this.closeTimer);
    slot(this.root, "foot").replaceChildren(form);
    form.querySelector("select")?.focus();
  }
}
