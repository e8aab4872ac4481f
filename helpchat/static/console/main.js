// The counselor console: wires the socket's events to the views. Everything role-related is
// checked by the server on every event; the supervisor parts only show for supervisors.
import { config, staffName, t } from "./i18n.js";
import { el, toast } from "./dom.js";
import { call, errorText, keepSessionAlive, openSocket, watchConnection } from "./net.js";
import { setCannedResponses } from "./canned.js";
import { Attention } from "./attention.js";
import { Switcher } from "./switcher.js";
import { Wellbeing } from "./wellbeing.js";
import { ChatPane } from "./chat.js";
import { Dialogs } from "./dialogs.js";
import { DutySwitch } from "./duty.js";
import { Notifier } from "./notify.js";
import { QueueView } from "./queue.js";
import { WrapUps } from "./wrapup.js";
import { Board } from "./board.js";
import { MonitorPane } from "./monitor.js";
import { QuestionsPanel } from "./questions.js";

// How each end is told in the pane, and what the wrap-up presets as "how it ended".
const END_NOTICES = {
  quick_exit: ["chat.ended_quick_exit", "quick_exit"],
  forget_me: ["chat.ended_forget_me", "visitor"],
  visitor_gone: ["chat.ended_visitor_gone", "connection_lost"],
  blocked: ["chat.ended_blocked", "blocked"],
  shed: ["chat.ended_shed", "counselor"],
};
const BY_NOTICES = {
  visitor: ["chat.ended_by_visitor", "visitor"],
  counselor: ["chat.ended_by_you", "counselor"],
  system: ["chat.ended", null],
};
const BOARD_REFRESH_MS = 15000; // reply waits move on without any event

class Console {
  constructor() {
    this.me = config.me;
    this.socket = openSocket();
    this.clockOffset = 0;
    this.chats = new Map(); // conversation id -> ChatPane
    this.monitors = new Map(); // conversation id -> MonitorPane (supervisors)
    this.chatsBox = document.getElementById("chats");
    this.offer = document.getElementById("offer");
    this.takeNextButton = document.getElementById("take-next");
    this.notifier = new Notifier();
    this.dialogs = new Dialogs(this);
    this.wellbeing = new Wellbeing(this);
    this.duty = new DutySwitch(this);
    this.queue = new QueueView(this);
    this.wrapups = new WrapUps(this);
    this.switcher = new Switcher(this);
    this.attention = new Attention(this);
    this.board = this.me.supervisor ? new Board(this) : null;
    this.questions = new QuestionsPanel(this);
    if (this.board) setInterval(() => this.board.refresh(), BOARD_REFRESH_MS);
    this.takeNextButton.addEventListener("click", () => this.take());
    document.getElementById("offer-take").addEventListener("click", () => this.take());
    this._listen();
    watchConnection(this.socket, { onReconnect: () => this._resync() });
    keepSessionAlive();
    setInterval(() => this._tick(), 1000);
  }

  call(event, payload) {
    return call(this.socket, event, payload);
  }

  now() {
    return Date.now() + this.clockOffset;
  }

  // Server timestamps drive elapsed times; follow the server clock when ours is far off.
  learnClock(serverMs) {
    const offset = serverMs - Date.now();
    if (Math.abs(offset - this.clockOffset) > 2000) this.clockOffset = offset;
  }

  _listen() {
    const on = (event, handler) => this.socket.on(event, handler);
    const route = (handler) => (data) => {
      const chat = this.chats.get(data.conversation_id);
      const monitor = this.monitors.get(data.conversation_id);
      if (chat) handler(chat, data);
      if (monitor) handler(monitor, data);
    };
    on("connect", () => {
      this.duty.setConnected(true);
      this._loadCanned();
      this.board?.refresh();
      this.questions.refresh();
    });
    on("disconnect", () => this.duty.setConnected(false));
    on("duty", (duty) => this.duty.update(duty));
    on("queue", ({ entries }) => {
      const added = this.queue.update(entries);
      if (added.length && this.duty.status === "on") this.notifier.newInQueue(entries.length);
      this.refresh();
    });
    on("assigned", ({ conversation, handover }) => {
      this.openChat(conversation);
      if (handover) this._handedToMe(conversation, handover);
    });
    on("watchers", (data) => this.chats.get(data.conversation_id)?.setWatchers(data.names));
    on("message", route((pane, msg) => pane.onMessage(msg)));
    on("typing", route((pane, data) => pane.onTyping(data.typing)));
    on("visitor_presence", route((pane, data) => pane.onPresence(data.connected)));
    on("whisper", route((pane, whisper) => pane.onWhisper(whisper)));
    on("chat_ended", (data) => this._ended(data));
    on("chat_full", (data) => this.chats.get(data.conversation_id)?.onFull());
    // This server process missed events for a moment: every open chat fetches what it missed.
    on("resync", () => this.chats.forEach((pane) => pane.resync()));
    on("wrap_up", (data) => this.wrapups.add(data));
    on("wrap_up_closed", (data) => this.wrapups.closed(data));
    on("board_changed", () => this.board?.refresh());
    on("alert", (data) => this.board?.alert(data));
    // An admin changed this account's role: the server closes the socket; reload so the page
    // shows what the new role may do (the reconnect alone would keep the old panels).
    on("account_changed", () => window.location.reload());
    on("questions_changed", () => this.questions.refresh());
    on("question_message", (message) => this.questions.onReply(message));
    on("question_assigned", (data) => this.questions.onAssigned(data));
    on("later_accepted", () => this.questions.onLaterAccepted());
  }

  async _loadCanned() {
    const ack = await this.call("canned", {});
    if (ack.ok) setCannedResponses(ack);
  }

  // --- chats ----------------------------------------------------------------------------------
  openChat(conversation) {
    const existing = this.chats.get(conversation.id);
    if (existing) {
      existing.merge(conversation.messages ?? []);
      return existing;
    }
    const pane = new ChatPane(this, conversation);
    this.chats.set(pane.id, pane);
    this.chatsBox.append(pane.root);
    this._loadWhispers(pane);
    if (this.switcher.view === "queue" && this.switcher.narrow) this.switcher.show(pane.id);
    this.refresh();
    return pane;
  }

  // A colleague handed this chat to me (or I took it over): a sound and a banner with the note.
  _handedToMe(conversation, handover) {
    if (handover.kind !== "transfer") return; // my own take-over needs no alert
    const pane = this.chats.get(conversation.id);
    const text = t("handover.banner", { name: staffName(handover.from_name), pseudonym: pane.pseudonym });
    const box = el("div", { className: "alert alert-handover", attrs: { role: "alert" } },
      el("div", {}, el("p", { text }),
        handover.note ? el("p", { className: "alert-note", text: t("handover.note", { note: handover.note }) }) : null),
      el("button", { className: "button-small button-primary", text: t("handover.open"), attrs: { type: "button" },
        on: { click: () => { box.remove(); this.switcher.show(pane.id); pane.root.querySelector("textarea").focus(); } } }),
      el("button", { className: "button-small", text: t("alert.dismiss"), attrs: { type: "button" },
        on: { click: () => box.remove() } }));
    document.getElementById("alerts").append(box);
    this.notifier.handover(text);
  }

  async _loadWhispers(pane) {
    const ack = await this.call("whispers", { conversation_id: pane.id });
    if (ack.ok) ack.whispers.forEach((w) => pane.onWhisper(w));
  }

  removePane(pane) {
    pane.root.remove();
    if (this.chats.get(pane.id) === pane) this.chats.delete(pane.id);
    if (this.monitors.get(pane.id) === pane) this.monitors.delete(pane.id);
    this.switcher.forget(pane.id);
    this.refresh();
  }

  _ended(data) {
    const monitor = this.monitors.get(data.conversation_id);
    if (monitor && !this.chats.has(data.conversation_id)) monitor.end();
    const pane = this.chats.get(data.conversation_id);
    if (!pane || pane.ended) return;
    const names = { pseudonym: pane.pseudonym, name: staffName(data.to_name ?? "") };
    if (["transferred", "taken_over", "requeued"].includes(data.reason)) {
      // Not ended: someone else carries on. No wrap-up for a chat handed on; the pane stays
      // readable (greyed) until closed, so nothing vanishes mid-sentence.
      const key = { transferred: "chat.handed_to", taken_over: "chat.taken_over", requeued: "chat.requeued" }[data.reason];
      pane.handedOver(t(key, names), data.note, data.to_name);
      toast(t(key, names), "info", 10000);
      this.refresh();
      return;
    }
    const [notice, ending] = END_NOTICES[data.reason] ?? BY_NOTICES[data.by] ?? BY_NOTICES.system;
    pane.ending = ending;
    pane.end(t(notice, names));
    this.refresh();
  }

  async take(conversationId) {
    const ack = await this.call("take", conversationId ? { conversation_id: conversationId } : {});
    if (ack.ok) {
      this.offer.hidden = true;
      this.openChat(ack.conversation).root.querySelector("textarea").focus();
    } else {
      toast(t("error.generic", { message: errorText(ack) }), "error");
    }
  }

  // --- supervisors ------------------------------------------------------------------------------
  async monitor(conversationId) {
    if (this.monitors.has(conversationId)) return;
    const ack = await this.call("monitor", { conversation_id: conversationId });
    if (!ack.ok) {
      toast(t("error.generic", { message: errorText(ack) }), "error");
      return;
    }
    const pane = new MonitorPane(this, ack.conversation, ack.whispers);
    this.monitors.set(conversationId, pane);
    this.chatsBox.append(pane.root);
    this.board?.refresh();
    this.refresh();
  }

  async stopMonitor(conversationId) {
    const pane = this.monitors.get(conversationId);
    if (!pane) return;
    await this.call("unmonitor", { conversation_id: conversationId });
    this.removePane(pane);
    this.board?.refresh();
  }

  // Take-over with an optional note for the counselor; off duty, it puts me on duty too.
  async takeOver(conversationId, counselorName) {
    const choice = await this.dialogs.takeOver(counselorName, this.duty.status !== "on");
    if (!choice) return;
    const ack = await this.call("take_over", { conversation_id: conversationId, note: choice.note,
      go_on_duty: this.duty.status !== "on" });
    if (!ack.ok) {
      toast(t("error.generic", { message: errorText(ack) }), "error");
      return;
    }
    this.duty.update(ack.duty);
    await this.stopMonitor(conversationId);
    this.switcher.show(conversationId);
  }

  // --- shared state ----------------------------------------------------------------------------
  // Whether "take" can work now, and why not; `offerNext` after a wrap-up was closed.
  refresh({ offerNext = false } = {}) {
    const duty = this.duty.state;
    const active = [...this.chats.values()].filter((p) => !p.ended).length;
    const reason = duty.status === "off" ? "queue.hint_off"
      : duty.status === "pause" ? "queue.hint_pause"
      : this.wrapups.count > 0 ? "queue.hint_wrapup"
      : this.wellbeing.cooling ? "queue.hint_cooldown"
      : active >= duty.max_chats ? "queue.hint_full" : null;
    this.wellbeing.render();
    const canTake = !reason && this.socket.connected;
    this.takeNextButton.disabled = !canTake || this.queue.length === 0;
    this.queue.setTakeable(canTake);
    document.getElementById("take-hint").textContent = reason ? t(reason) : "";
    if (offerNext && canTake && this.queue.length > 0) this.offer.hidden = false;
    if (!canTake || this.queue.length === 0) this.offer.hidden = true;
    document.getElementById("no-chats").hidden = this.chats.size + this.monitors.size > 0
      || this.wrapups.count > 0 || this.questions.panes.size > 0;
    this.questions.render(); // live chats first: claiming follows the queue and duty
    this.chatsBox.dataset.count = String(this.chats.size + this.monitors.size);
    this.attention.update();
  }

  _tick() {
    this.queue.tick();
    this.board?.tick();
    this.wellbeing.tick();
    for (const pane of [...this.chats.values(), ...this.monitors.values()]) if (!pane.ended) pane.tick();
  }

  async _resync() {
    for (const pane of this.chats.values()) if (!pane.ended) pane.resync();
    // Watch rooms belong to the old connection: join them again.
    for (const id of [...this.monitors.keys()]) {
      const ack = await this.call("monitor", { conversation_id: id });
      const pane = this.monitors.get(id);
      if (ack.ok) pane.merge(ack.conversation.messages);
      else pane?.end();
    }
  }
}

window.helpchatConsole = new Console();
