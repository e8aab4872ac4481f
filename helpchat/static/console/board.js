// Supervisors: the live board of all active chats (age, how long the youth waits for a reply),
// every counselor's state (duty, chats, cool-down, help asked, wrap-up open), debrief and
// call-back requests, and alerts ("need help", "debrief", "call back") from counselors.
import { config, formatClock, formatDuration, minutesSince, staffName, t } from "./i18n.js";
import { el } from "./dom.js";

export class Board {
  constructor(app) {
    this.app = app;
    this.data = { chats: [], counselors: [], debriefs: [], call_backs: [], queue_length: 0 };
    this.timer = null;
    this.rows = document.getElementById("board-chats");
  }

  // Server event `board_changed` comes in bursts (take + duty + queue): ask once.
  refresh() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this._load(), 150);
  }

  async _load() {
    const ack = await this.app.call("board", {});
    if (!ack.ok) return;
    this.data = ack;
    this._render();
    for (const chat of ack.chats) this.app.monitors.get(chat.conversation_id)?.setCounselor(chat.counselor_name);
  }

  _render() {
    const { chats, counselors, debriefs, call_backs: callBacks = [], queue_length: queueLength } = this.data;
    document.getElementById("board-queue").textContent = t("board.queue", { count: queueLength });
    document.getElementById("board-empty").hidden = chats.length > 0;
    this.rows.replaceChildren(...chats.map((chat) => this._chatRow(chat)));
    const people = document.getElementById("board-people");
    people.replaceChildren(...(counselors.length ? counselors.map((c) => this._person(c))
      : [el("li", { className: "muted", text: t("board.nobody") })]));
    this._requests("debriefs", debriefs, "debrief_done");
    this._requests("call-backs", callBacks, "call_back_done");
    this.tick();
  }

  _person(c) {
    const badge = (className, text, data = {}) => el("span", { className: `badge ${className}`, text, dataset: data });
    return el("li", { className: `person person-${c.status}`, dataset: { counselor: c.id } },
      el("span", { text: t("board.person", { name: staffName(c.name), status: t(`duty.${c.status}`), active: c.active_chats, max: c.max_chats }) }),
      c.help_requested ? badge("badge-help", t("board.help")) : null,
      c.wrap_ups ? badge("badge-wrapup", t("board.in_wrapup")) : null,
      c.cooldown_until_ms ? badge("badge-cooldown", "", { until: c.cooldown_until_ms }) : null);
  }

  _requests(name, rows, event) {
    document.getElementById(`board-${name}-wrap`).hidden = rows.length === 0;
    document.getElementById(`board-${name}`).replaceChildren(...rows.map((d) => el("li", {},
      el("span", { text: t("board.debrief_row", { name: staffName(d.counselor_name), time: formatClock(d.requested_ms) }) }),
      el("button", { className: "button-small", text: t("board.debrief_done"), attrs: { type: "button" },
        on: { click: () => this.app.call(event, { counselor_id: d.counselor_id }) } }))));
  }

  _chatRow(chat) {
    const mine = chat.counselor_id === this.app.me.id;
    const watching = this.app.monitors.has(chat.conversation_id);
    const button = (label, handler) => el("button", { className: "button-small", text: label,
      attrs: { type: "button" }, on: { click: handler } });
    return el("li", { className: `board-item${chat.help_requested_ms ? " needs-help" : ""}`,
      dataset: { cid: chat.conversation_id } },
      el("div", { className: "board-line" },
        el("strong", { text: chat.pseudonym }),
        chat.urgent ? el("span", { className: "badge badge-urgent", text: t("queue.urgent") }) : null,
        chat.help_requested_ms ? el("span", { className: "badge badge-help", text: t("board.help") }) : null,
        el("span", { className: "duration", dataset: { started: chat.started_ms ?? "" },
          attrs: { title: t("board.duration") } })),
      el("div", { className: "board-line muted" },
        el("span", { text: t("board.chat_by", { name: staffName(chat.counselor_name) }) }),
        chat.lang ? el("span", { className: "badge badge-lang", text: chat.lang.toUpperCase() }) : null),
      el("div", { className: "board-line board-wait", dataset: { since: chat.waiting_since_ms ?? "" } }),
      el("div", { className: "board-actions" },
        mine || watching ? null : button(t("board.monitor"), () => this.app.monitor(chat.conversation_id)),
        mine ? null : button(t("board.take_over"), () => this.app.takeOver(chat.conversation_id, staffName(chat.counselor_name)))));
  }

  tick() {
    const now = this.app.now();
    for (const cell of this.rows.querySelectorAll(".duration")) {
      const started = Number(cell.dataset.started);
      cell.textContent = started ? formatDuration((now - started) / 1000) : "";
    }
    for (const line of this.rows.querySelectorAll(".board-wait")) {
      const since = Number(line.dataset.since);
      const long = since && now - since >= config.reply_wait_alert_seconds * 1000;
      line.textContent = since ? t("board.waiting", { time: formatClock(since), minutes: minutesSince(since, now) })
        : t("board.answered");
      line.classList.toggle("waiting-long", Boolean(long));
    }
    for (const badge of document.querySelectorAll("#board-people .badge-cooldown")) {
      const until = Number(badge.dataset.until);
      badge.hidden = until <= now;
      badge.textContent = t("board.cooldown", { time: formatClock(until) });
    }
  }

  // Server event `alert`: {kind: "need_help"|"debrief", counselor_name, conversation_id?, pseudonym?}.
  alert(data) {
    if (data.counselor_id === this.app.me.id) return; // a supervisor asking for help themselves
    const text = data.kind === "need_help"
      ? t("alert.need_help", { name: staffName(data.counselor_name), pseudonym: data.pseudonym })
      : t(`alert.${data.kind}`, { name: staffName(data.counselor_name) });
    const box = el("div", { className: `alert alert-${data.kind}`, attrs: { role: "alert" } },
      el("p", { text }));
    if (data.kind === "need_help" && !this.app.monitors.has(data.conversation_id)) {
      box.append(el("button", { className: "button-small button-primary", text: t("alert.open"),
        attrs: { type: "button" }, on: { click: () => { box.remove(); this.app.monitor(data.conversation_id); } } }));
    }
    box.append(el("button", { className: "button-small", text: t("alert.dismiss"),
      attrs: { type: "button" }, on: { click: () => box.remove() } }));
    document.getElementById("alerts").append(box);
    this.app.notifier.alert(text);
  }
}
