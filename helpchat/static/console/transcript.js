// One chat's message list: server messages in stream-id order, own messages first shown as
// pending (matched to the stored message by client_id), notices and whispers in between.
import { config, formatClock, t } from "./i18n.js";
import { el } from "./dom.js";

function compareIds(a, b) {
  const [am, as] = a.split("-").map(Number);
  const [bm, bs] = b.split("-").map(Number);
  return am - bm || as - bs;
}

export class Transcript {
  constructor(list, pseudonym) {
    this.list = list;
    this.pseudonym = pseudonym;
    this.lastId = null;
  }

  // Keep following the conversation unless the reader scrolled up to read back.
  _stick(fn) {
    const atBottom = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 60;
    fn();
    if (atBottom) this.list.scrollTop = this.list.scrollHeight;
  }

  _who(msg) {
    if (msg.sender === "visitor") return this.pseudonym;
    if (msg.sender === "system") return t("chat.system");
    return this._own(msg) ? t("chat.you") : msg.counselor_name || "";
  }

  // Counselor messages carry the display name (null while none is set), never the login name.
  _own(msg) {
    return msg.sender === "counselor" && (msg.counselor_name ?? null) === config.me.message_name;
  }

  _row(msg, state) {
    const own = this._own(msg);
    const row = el("li", { className: `msg msg-${msg.sender}${own ? " msg-own" : ""}` },
      el("p", { className: "bubble", text: msg.text }),
      el("p", { className: "meta" },
        el("span", { className: "who", text: this._who(msg) }),
        el("time", { text: formatClock(msg.ts_ms ?? Date.now()) }),
        own ? el("span", { className: "state", dataset: { state } , text: t(`chat.state.${state}`) }) : null));
    if (msg.id) row.dataset.id = msg.id;
    if (msg.client_id) row.dataset.clientId = msg.client_id;
    return row;
  }

  _insert(row, id) {
    // Messages usually arrive in order; after a resync one may belong further up.
    let before = null;
    for (const other of this.list.querySelectorAll("li[data-id]")) {
      if (compareIds(other.dataset.id, id) > 0) { before = other; break; }
    }
    if (!before) before = this.list.querySelector("li.msg-pending");
    this.list.insertBefore(row, before);
  }

  // A stored message (from an ack, an event, a sync or `assigned`); duplicates are ignored.
  add(msg) {
    if (this.list.querySelector(`li[data-id="${CSS.escape(msg.id)}"]`)) return;
    this._stick(() => {
      const pending = msg.client_id &&
        this.list.querySelector(`li.msg-pending[data-client-id="${CSS.escape(msg.client_id)}"]`);
      if (pending) pending.remove();
      this._insert(this._row(msg, "sent"), msg.id);
    });
    if (!this.lastId || compareIds(msg.id, this.lastId) > 0) this.lastId = msg.id;
  }

  addPending(clientId, text) {
    const row = this._row({ sender: "counselor", counselor_name: config.me.message_name, text,
      client_id: clientId, ts_ms: Date.now() }, "sending");
    row.classList.add("msg-pending");
    this._stick(() => this.list.append(row));
    return row;
  }

  setPendingState(clientId, state) {
    const row = this.list.querySelector(`li.msg-pending[data-client-id="${CSS.escape(clientId)}"]`);
    const label = row?.querySelector(".state");
    if (!label) return;
    label.dataset.state = state;
    label.textContent = t(`chat.state.${state}`);
  }

  notice(text, kind = "info") {
    this._stick(() => this.list.append(el("li", { className: `notice notice-${kind}`, text })));
  }

  whisper(whisper, label) {
    if (this.list.querySelector(`li[data-whisper="${CSS.escape(whisper.id)}"]`)) return;
    this._stick(() => this.list.append(el("li", { className: "whisper", dataset: { whisper: whisper.id } },
      el("p", { className: "whisper-label", text: label }),
      el("p", { className: "bubble", text: whisper.text }),
      el("p", { className: "meta" }, el("time", { text: formatClock(whisper.ts_ms) })))));
  }
}
