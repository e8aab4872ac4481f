// The counselor console: wires the socket's events to the views. Everything role-related is
// checked by the server on every event; the supervisor parts only show for supervisors.
import { config, t } from "./i18n.js";
import { toast } from "./dom.js";
import { call, errorText, keepSessionAlive, openSocket, watchConnection } from "./net.js";
import { setCannedResponses } from "./canned.js";
import { ChatPane } from "./chat.js";
import { Dialogs } from "./dialogs.js";
import { DutySwitch } from "./duty.js";
import { Notifier } from "./notify.js";
import { QueueView } from "./queue.js";
import { WrapUps } from "./wrapup.js";
import { Board } from "./board.js";
import { MonitorPane } from "./monitor.js";
import { QuestionsPanel } from "./questions.js";

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
    this.duty = new DutySwitch(this);
    this.queue = new QueueView(this);
    this.wrapups = new WrapUps(this);
    this.board = this.me.supervisor ? new Board(this) : null;
    this.questions = new QuestionsPanel(this);
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
    on("assigned", ({ conversation }) => this.openChat(conversation));
    on("message", route((pane, msg) => pane.onMessage(msg)));
    on("typing", route((pane, data) => pane.onTyping(data.typing)));
    on("visitor_presence", route((pane, data) => pane.onPresence(data.connected)));
    on("whisper", route((pane, whisper) => pane.onWhisper(whisper)));
    on("chat_ended", (data) => this._ended(data));
    on("chat_full", (data) => this.chats.get(data.conversation_id)?.onFull());
    // This server process missed events for a moment: every open chat fetches what it missed.
    on("resync", () => this.chats.forEach((pane) => pane.resync()));
    on("taken_over", (data) => {
      const pane = this.chats.get(data.conversation_id);
      toast(t("chat.taken_over", { name: data.by_name, pseudonym: pane?.pseudonym ?? "" }), "info", 10000);
    });
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
    if (ack.ok) setCannedResponses(ack.items);
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
    this.refresh();
    return pane;
  }

  async _loadWhispers(pane) {
    const ack = await this.call("whispers", { conversation_id: pane.id });
    if (ack.ok) ack.whispers.forEach((w) => pane.onWhisper(w));
  }

  removePane(pane) {
    pane.root.remove();
    if (this.chats.get(pane.id) === pane) this.chats.delete(pane.id);
    if (this.monitors.get(pane.id) === pane) this.monitors.delete(pane.id);
    this.refresh();
  }

  _ended(data) {
    const monitor = this.monitors.get(data.conversation_id);
    if (monitor && !this.chats.has(data.conversation_id)) monitor.end();
    const pane = this.chats.get(data.conversation_id);
    if (!pane) return;
    if (data.reason === "transferred" || data.reason === "requeued") {
      // Not ended: someone else carries on. No wrap-up for a chat handed on.
      toast(t(data.reason === "transferred" ? "chat.transferred" : "chat.requeued", { pseudonym: pane.pseudonym }));
      this.removePane(pane);
      return;
    }
    const notice = data.reason === "blocked" ? "chat.ended_blocked"
      : data.reason === "shed" ? "chat.ended_shed"
      : data.by === "visitor" ? "chat.ended_by_visitor" : "chat.ended";
    pane.end(t(notice));
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

  async takeOver(conversationId) {
    const ack = await this.call("take_over", { conversation_id: conversationId });
    if (!ack.ok) {
      toast(t("error.generic", { message: errorText(ack) }), "error");
      return;
    }
    await this.stopMonitor(conversationId);
  }

  // --- shared state ----------------------------------------------------------------------------
  // Whether "take" can work now, and why not; `offerNext` after a wrap-up was closed.
  refresh({ offerNext = false } = {}) {
    const duty = this.duty.state;
    const active = [...this.chats.values()].filter((p) => !p.ended).length;
    const reason = duty.status === "off" ? "queue.hint_off"
      : duty.status === "pause" ? "queue.hint_pause"
      : this.wrapups.count > 0 ? "queue.hint_wrapup"
      : active >= duty.max_chats ? "queue.hint_full" : null;
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
  }

  _tick() {
    this.queue.tick();
    this.board?.tick();
    for (const pane of [...this.chats.values(), ...this.monitors.values()]) if (!pane.ended) pane.tick();
  }

  async _resync() {
    for (const pane of this.chats.values()) if (!pane.ended) pane.resync();
    // Watch rooms belong to the old connection: join them again.
    for (const id of [...this.monitors.keys()]) {
      const ack = await this.call("monitor", { conversation_id: id });
      const pane = this.monitors.get(id);
      if (ack.ok) ack.conversation.messages.forEach((m) => pane.onMessage(m));
      else pane?.end();
    }
  }
}

window.helpchatConsole = new Console();
