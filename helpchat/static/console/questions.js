// Questions left while nobody could chat: the inbox next to the live queue (oldest first,
// questions past the promise marked), claiming one, answering it in a pane of its own,
// putting it back or handing it over, and (supervisors) reviewing answers before they go out.
// Live chats come first: while any wait and you are on duty, claiming is off (the server
// refuses it too).
import { formatClock, formatDuration, staffName, t } from "./i18n.js";
import { clone, el, randomId, slot, toast } from "./dom.js";
import { errorText } from "./net.js";

export class QuestionsPanel {
  constructor(app) {
    this.app = app;
    this.data = null;
    this.timer = null;
    this.panes = new Map(); // thread id -> QuestionPane
    this.claimNext = document.getElementById("questions-claim-next");
    this.claimNext.addEventListener("click", () => this.claim());
    // "Keep talking later" in a live chat's pane: the young person decides in the widget.
    app.chatsBox.addEventListener("click", async (event) => {
      const button = event.target.closest('[data-action="later"]');
      const chat = button?.closest("article.chat");
      if (!chat?.dataset.cid) return;
      const ack = await this.app.call("offer_later", { conversation_id: chat.dataset.cid });
      toast(ack.ok ? t("questions.later_offered") : t("error.generic", { message: errorText(ack) }),
        ack.ok ? "info" : "error");
    });
  }

  // `questions_changed` comes with every move anyone makes: ask for the lists once.
  refresh() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this._load(), 150);
  }

  async _load() {
    const ack = await this.app.call("questions", {});
    if (!ack.ok) return;
    this.data = ack;
    this.render();
  }

  get liveFirst() {
    return this.app.duty.status === "on" && this.app.queue.length > 0;
  }

  render() {
    const data = this.data;
    if (!data) return;
    const count = document.getElementById("questions-count");
    count.textContent = data.waiting.length ? String(data.waiting.length) : "";
    const liveFirst = document.getElementById("questions-live-first");
    liveFirst.hidden = !this.liveFirst;
    liveFirst.textContent = this.liveFirst ? t("questions.live_first", { count: this.app.queue.length }) : "";
    this.claimNext.disabled = this.liveFirst || data.waiting.length === 0;
    document.getElementById("questions-empty").hidden = data.waiting.length > 0;
    document.getElementById("questions-waiting").replaceChildren(
      ...data.waiting.map((entry) => this._row(entry, "claim")));
    document.getElementById("questions-mine-wrap").hidden = data.mine.length === 0;
    document.getElementById("questions-mine").replaceChildren(
      ...data.mine.map((entry) => this._row(entry, "open")));
    document.getElementById("questions-review-wrap").hidden = data.review.length === 0;
    document.getElementById("questions-review").replaceChildren(
      ...data.review.map((entry) => this._row(entry, "open")));
  }

  _row(entry, action) {
    const title = t("questions.title", { label: entry.label });
    const waiting = entry.waiting_s === null ? null
      : el("span", { className: "queue-wait", text: t("questions.waiting", { time: formatDuration(entry.waiting_s) }) });
    const button = action === "claim"
      ? el("button", { className: "button-small queue-take", text: t("questions.claim"),
        attrs: { type: "button", "aria-label": t("questions.claim_label", { label: entry.label }) },
        on: { click: () => this.claim(entry.thread_id) } })
      : el("button", { className: "button-small queue-take", text: t("questions.open"),
        attrs: { type: "button" }, on: { click: () => this.open(entry.thread_id) } });
    if (action === "claim") button.disabled = this.liveFirst;
    return el("li", { className: `queue-item question-item${entry.overdue ? " overdue" : ""}`,
      dataset: { thread: entry.thread_id } },
    el("div", { className: "queue-line" },
      el("strong", { className: "queue-name", text: title }),
      entry.overdue ? el("span", { className: "badge badge-urgent", text: t("questions.overdue") }) : null,
      entry.state === "review" && entry.counselor_name
        ? el("span", { className: "badge badge-flag", text: t("questions.answered_by", { name: staffName(entry.counselor_name) }) })
        : null),
    el("p", { className: "question-preview", text: entry.preview }),
    el("div", { className: "queue-line muted" }, waiting),
    button);
  }

  async claim(threadId) {
    const ack = await this.app.call("claim_question", threadId ? { thread_id: threadId } : {});
    if (!ack.ok) { toast(t("error.generic", { message: errorText(ack) }), "error"); return; }
    this.show(ack.thread).focus();
  }

  async open(threadId) {
    const existing = this.panes.get(threadId);
    if (existing) { existing.focus(); return; }
    const ack = await this.app.call("open_question", { thread_id: threadId });
    if (!ack.ok) { toast(t("error.generic", { message: errorText(ack) }), "error"); return; }
    this.show(ack.thread).focus();
  }

  show(thread) {
    let pane = this.panes.get(thread.thread_id);
    if (!pane) {
      pane = new QuestionPane(this, thread);
      this.panes.set(thread.thread_id, pane);
      this.app.chatsBox.append(pane.root);
      this.app.refresh();
    } else {
      pane.render(thread);
    }
    return pane;
  }

  close(pane) {
    pane.root.remove();
    this.panes.delete(pane.id);
    this.app.refresh();
  }

  onReply(message) {
    const pane = this.panes.get(message.thread_id);
    if (pane) pane.addMessage(message);
    else toast(t("questions.reply", { label: message.thread_id.slice(0, 4) }));
  }

  onLaterAccepted() {
    toast(t("questions.later_accepted"), "info", 10000);
    this.refresh();
  }

  onAssigned(data) {
    toast(t("questions.handed_over", { name: data.from }), "info", 10000);
    this.refresh();
    this.open(data.thread_id);
  }
}

class QuestionPane {
  constructor(panel, thread) {
    this.panel = panel;
    this.app = panel.app;
    this.id = thread.thread_id;
    this.root = clone("tpl-question");
    this.input = slot(this.root, "input");
    const inputId = `answer-${this.id}`;
    this.input.id = inputId;
    slot(this.root, "input-label").setAttribute("for", inputId);
    this.root.addEventListener("click", (event) => {
      const action = event.target.closest("[data-action]")?.dataset.action;
      if (action) this[`_${action}`]?.();
    });
    this.input.addEventListener("input", () => {
      slot(this.root, "count").textContent = `${this.input.value.length}`;
    });
    this.render(thread);
  }

  focus() {
    (this.input.offsetParent ? this.input : slot(this.root, "title")).focus();
    return this;
  }

  render(thread) {
    this.thread = thread;
    slot(this.root, "title").textContent = t("questions.title", { label: thread.label });
    slot(this.root, "overdue").hidden = !thread.overdue;
    slot(this.root, "waiting").textContent = thread.waiting_s === null ? ""
      : t("questions.waiting", { time: formatDuration(thread.waiting_s) });
    slot(this.root, "transcript").replaceChildren();
    thread.messages.forEach((m) => this.addMessage(m));
    const mine = thread.state === "claimed" && thread.counselor_id === this.app.me.id;
    const inReview = thread.state === "review";
    slot(this.root, "composer").hidden = !mine;
    slot(this.root, "actions").querySelectorAll("[data-action=release], [data-action=hand_over]")
      .forEach((button) => { button.hidden = !(mine || (this.app.me.supervisor && thread.state === "claimed")); });
    const review = slot(this.root, "review");
    review.hidden = !(inReview && this.app.me.supervisor && thread.draft);
    slot(this.root, "draft").textContent = thread.draft ? thread.draft.text : "";
    const note = slot(this.root, "note");
    const noteText = inReview && !this.app.me.supervisor ? t("questions.in_review")
      : thread.review_note ? t("questions.returned", { note: thread.review_note }) : "";
    note.hidden = !noteText;
    note.textContent = noteText;
    if (mine && thread.draft && !this.input.value) this.input.value = thread.draft.text;
  }

  addMessage(message) {
    const list = slot(this.root, "transcript");
    if (list.querySelector(`[data-id="${CSS.escape(message.id)}"]`)) return;
    const visitor = message.sender === "visitor";
    list.append(el("li", { className: `msg msg-${visitor ? "visitor" : "counselor"}`, dataset: { id: message.id } },
      el("p", { className: "bubble", text: message.text }),
      el("p", { className: "meta" },
        el("span", { className: "who", text: visitor ? t("questions.visitor") : (staffName(message.counselor_name) ?? t("questions.counselor")) }),
        el("time", { text: formatClock(message.ts_ms) }))));
  }

  async _send() {
    const text = this.input.value.trim();
    if (!text) return;
    const ack = await this.app.call("answer_question",
      { thread_id: this.id, client_id: randomId("q"), text });
    if (!ack.ok) { toast(t("error.generic", { message: errorText(ack) }), "error"); return; }
    this.input.value = "";
    toast(t(ack.in_review ? "questions.in_review" : "questions.sent"));
    this.panel.close(this);
  }

  async _release() {
    const ack = await this.app.call("release_question", { thread_id: this.id });
    if (!ack.ok) { toast(t("error.generic", { message: errorText(ack) }), "error"); return; }
    this.panel.close(this);
  }

  async _hand_over() {
    const ack = await this.app.call("colleagues", {});
    const colleagues = ack.ok ? ack.colleagues : [];
    if (!colleagues.length) { toast(t("questions.nobody")); return; }
    const select = el("select", { attrs: { "aria-label": t("questions.hand_over_to") } },
      ...colleagues.map((c) => el("option", { text: staffName(c.name), attrs: { value: c.id } })));
    const confirm = el("button", { className: "button-small button-primary", text: t("questions.hand_over"),
      attrs: { type: "button" }, on: { click: async () => {
        const done = await this.app.call("hand_over_question", { thread_id: this.id, to: select.value });
        if (!done.ok) { toast(t("error.generic", { message: errorText(done) }), "error"); return; }
        this.panel.close(this);
      } } });
    slot(this.root, "actions").append(select, confirm);
    select.focus();
  }

  _close() {
    this.panel.close(this);
  }

  async _approve() {
    const ack = await this.app.call("review_answer", { thread_id: this.id, approve: true });
    if (!ack.ok) { toast(t("error.generic", { message: errorText(ack) }), "error"); return; }
    toast(t("questions.sent"));
    this.panel.close(this);
  }

  async _reject() {
    const note = slot(this.root, "review-note").value.trim();
    const ack = await this.app.call("review_answer", { thread_id: this.id, approve: false, note });
    if (!ack.ok) { toast(t("error.generic", { message: errorText(ack) }), "error"); return; }
    this.panel.close(this);
  }
}
