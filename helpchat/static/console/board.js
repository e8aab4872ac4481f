// Supervisors: the live board of all active chats, the counselors on duty, debrief requests,
// and alerts ("need help", "debrief") from counselors.
import { formatClock, formatDuration, t } from "./i18n.js";
import { el } from "./dom.js";

export class Board {
  constructor(app) {
    this.app = app;
    this.data = { chats: [], counselors: [], debriefs: [], queue_length: 0 };
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
    const { chats, counselors, debriefs, queue_length: queueLength } = this.data;
    document.getElementById("board-queue").textContent = t("board.queue", { count: queueLength });
    document.getElementById("board-empty").hidden = chats.length > 0;
    this.rows.replaceChildren(...chats.map((chat) => this._chatRow(chat)));
    const people = document.getElementById("board-people");
    people.replaceChildren(...(counselors.length ? counselors.map((c) => el("li", {
      className: `person person-${c.status}`,
      text: t("board.person", { name: c.name, status: t(`duty.${c.status}`), active: c.active_chats, max: c.max_chats })
        + (c.wrap_ups ? ` · ${t("board.in_wrapup")}` : ""),
    })) : [el("li", { className: "muted", text: t("board.nobody") })]));
    document.getElementById("board-debriefs-wrap").hidden = debriefs.length === 0;
    document.getElementById("board-debriefs").replaceChildren(...debriefs.map((d) => el("li", {},
      el("span", { text: t("board.debrief_row", { name: d.counselor_name, time: formatClock(d.requested_ms) }) }),
      el("button", { className: "button-small", text: t("board.debrief_done"), attrs: { type: "button" },
        on: { click: () => this.app.call("debrief_done", { counselor_id: d.counselor_id }) } }))));
    this.tick();
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
      el("div", { className: "board-line muted", text: t("board.chat_by", { name: chat.counselor_name }) }),
      el("div", { className: "board-actions" },
        mine || watching ? null : button(t("board.monitor"), () => this.app.monitor(chat.conversation_id)),
        mine ? null : button(t("board.take_over"), () => this.app.takeOver(chat.conversation_id))));
  }

  tick() {
    for (const cell of this.rows.querySelectorAll(".duration")) {
      const started = Number(cell.dataset.started);
      cell.textContent = started ? formatDuration((this.app.now() - started) / 1000) : "";
    }
  }

  // Server event `alert`: {kind: "need_help"|"debrief", counselor_name, conversation_id?, pseudonym?}.
  alert(data) {
    if (data.counselor_id === this.app.me.id) return; // a supervisor asking for help themselves
    const text = data.kind === "need_help"
      ? t("alert.need_help", { name: data.counselor_name, pseudonym: data.pseudonym })
      : t("alert.debrief", { name: data.counselor_name });
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
