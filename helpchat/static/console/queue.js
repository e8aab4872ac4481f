// The waiting queue (urgent first, as the server orders it) with live waiting times, "Take
// next" and taking a specific chat. Each row carries triage: the youth's language, whether they
// came before, and whether (and how much) they already wrote while waiting.
import { formatDuration, langLabel, pseudonym, t } from "./i18n.js";
import { el } from "./dom.js";

export class QueueView {
  constructor(app) {
    this.app = app;
    this.entries = [];
    this.receivedAt = performance.now();
    this.list = document.getElementById("queue-list");
    this.count = document.getElementById("queue-count");
    this.empty = document.getElementById("queue-empty");
  }

  get length() {
    return this.entries.length;
  }

  // Server event `queue`; returns the entries that were not there before.
  update(entries) {
    const known = new Set(this.entries.map((e) => e.conversation_id));
    this.entries = entries;
    this.receivedAt = performance.now();
    this.count.textContent = String(entries.length);
    this.empty.hidden = entries.length > 0;
    this.list.replaceChildren(...entries.map((entry) => this._row(entry)));
    this.tick();
    return entries.filter((e) => !known.has(e.conversation_id));
  }

  _row(entry) {
    const flags = (entry.flags ?? []).map((flag) =>
      el("span", { className: `badge badge-flag`, text: t(`queue.flag.${flag}`) }));
    const lang = entry.lang ? el("span", { className: "badge badge-lang", text: entry.lang.toUpperCase(),
      attrs: { title: langLabel(entry.lang), "aria-label": t("chat.lang_title", { lang: langLabel(entry.lang) }) } }) : null;
    const wrote = entry.waiting_messages
      ? t("queue.wrote", { count: entry.waiting_messages, chars: entry.waiting_chars })
      : t("queue.wrote_nothing");
    return el("li", { className: `queue-item${entry.urgent ? " urgent" : ""}`, dataset: { cid: entry.conversation_id } },
      el("div", { className: "queue-line" },
        el("strong", { className: "queue-name", text: pseudonym(entry.pseudonym) }),
        entry.urgent ? el("span", { className: "badge badge-urgent", text: t("queue.urgent") }) : null,
        lang, ...flags),
      el("div", { className: `queue-line queue-wrote${entry.waiting_messages ? " has-written" : ""}`, text: wrote }),
      el("div", { className: "queue-line muted" },
        el("span", { className: "queue-topic", text: entry.topic ?? t("queue.no_topic") }),
        el("span", { className: "queue-wait", dataset: { waiting: entry.waiting_s } })),
      el("button", {
        className: "button-small queue-take", text: t("queue.take"),
        attrs: { type: "button", "aria-label": t("queue.take_label", { pseudonym: pseudonym(entry.pseudonym) }) },
        on: { click: () => this.app.take(entry.conversation_id) },
      }));
  }

  tick() {
    const passed = (performance.now() - this.receivedAt) / 1000;
    for (const label of this.list.querySelectorAll(".queue-wait")) {
      label.textContent = t("queue.waiting", { time: formatDuration(Number(label.dataset.waiting) + passed) });
    }
  }

  setTakeable(canTake) {
    for (const button of this.list.querySelectorAll(".queue-take")) button.disabled = !canTake;
  }
}
