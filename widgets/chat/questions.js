// Questions for later: leave a question while nobody can chat, get a six-word code once, and
// come back with it to read the answer, reply, mark it done or delete it.
//
// Privacy rules kept here: the code is shown once and lives only in this module's memory while
// its thread is open; it reaches storage (the iframe's sessionStorage, wiped by quick exit)
// only when the visitor ticks "remember on this device". Never a URL, a cookie or a log.
import { $, announce, config, el, errorText, lang, newClientId, state, storage, t } from "./state.js";
import { emitWithAck, on } from "./transport.js";
import { emitWithProof } from "./proof.js";
import { finishRequest, renderIdle, show } from "./views.js";
import { clearTranscript } from "./transcript.js";

export const CODE_KEY = "helpchat.question_code";
const settings = config.questions || null;
const dateFormat = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "nl-NL",
  { day: "numeric", month: "long", year: "numeric" });

let code = null;         // the open thread's code, in memory only
let threadId = null;
let asked = null;        // the thread just asked, shown once the code is written down
let answerTime = settings ? settings.answer_time : null;
let queuedSince = null;

// --- what we say about the answer time --------------------------------------------------------

function duration(seconds) {
  const hours = Math.max(1, Math.ceil(seconds / 3600));
  if (hours < 48) return hours === 1 ? t("question.hours_one") : t("question.hours", { n: hours });
  const days = Math.ceil(hours / 24);
  return t("question.days", { n: days });
}

function renderAnswerTime() {
  if (!answerTime) return;
  let text = t("question.promise", { time: duration(answerTime.promise_hours * 3600) });
  if (typeof answerTime.p50_s === "number" && typeof answerTime.p90_s === "number") {
    text += " " + t("question.measured",
      { p50: duration(answerTime.p50_s), p90: duration(answerTime.p90_s) });
  }
  document.querySelectorAll("[data-answer-time]").forEach((node) => { node.textContent = text; });
}

// --- moving between the views -----------------------------------------------------------------

function back() {
  forgetThread();
  if (state.server === "queued" || state.server === "chatting") show("chat");
  else if (state.endedMode) show("ended");
  else {
    show("loading");
    renderIdle();
  }
}

function forgetThread() {
  code = null;
  threadId = null;
  $("thread-messages").replaceChildren();
  $("pickup-code").textContent = "";
}

function openAsk() {
  $("ask-error").textContent = "";
  renderAnswerTime();
  show("ask");
}

function openPickup() {
  $("pickup-error").textContent = "";
  $("pickup-input").value = "";
  show("pickup");
}

// --- asking -----------------------------------------------------------------------------------

function keepTalkingLater() {
  emitWithAck("keep_talking_later", {}, (ack) => {
    if (!ack.ok) { announce(errorText(ack)); return; }
    $("later-offer").hidden = true;
    code = ack.code;
    threadId = ack.thread_id;
    asked = ack.thread;
    answerTime = ack.answer_time || answerTime;
    showCode();
  });
}

function sendQuestion(event) {
  event.preventDefault();
  const text = $("ask-text").value.trim();
  if (!text) { $("ask-error").textContent = t("question.empty"); $("ask-text").focus(); return; }
  const button = $("ask-send");
  button.disabled = true;
  // Asking and looking up a code pass the same proof-of-work gate as joining the queue.
  const payload = { text, lang, client_id: newClientId() };
  emitWithProof("ask", payload, { onWait: busy($("ask-error")), done: (ack) => {
    button.disabled = false;
    if (!ack.ok) { $("ask-error").textContent = refusal(ack); return; }
    $("ask-error").textContent = "";
    $("ask-text").value = "";
    code = ack.code;
    threadId = ack.thread_id;
    asked = ack.thread;
    answerTime = ack.answer_time || answerTime;
    showCode();
  } });
}

// Still a challenge after the rounds proof.js tries (or none solvable here): too busy, in
// plain words; any other refusal says its own reason.
function refusal(ack) {
  return ack.error && ack.error.challenge ? t("question.busy_failed") : errorText(ack);
}

// A wait before the next try, said where the visitor looks (the form's alert line).
function busy(node) {
  return (wait) => { node.textContent = t("question.busy", { seconds: Math.ceil(wait / 1000) }); };
}

function showCode() {
  const node = $("pickup-code");
  node.replaceChildren(...code.split(" ").map((word) => el("span", "code-word", word)));
  $("code-remember").checked = false;
  $("code-written").checked = false;
  $("code-error").textContent = "";
  $("code-copied").textContent = "";
  show("code");
}

function copyCode() {
  const done = (ok) => { $("code-copied").textContent = t(ok ? "question.copied" : "question.copy_failed"); };
  if (!navigator.clipboard) { selectCode(); done(false); return; }
  navigator.clipboard.writeText(code).then(() => done(true), () => { selectCode(); done(false); });
}

function selectCode() {
  const range = document.createRange();
  range.selectNodeContents($("pickup-code"));
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

function codeWrittenDown() {
  if (!$("code-written").checked) {
    $("code-error").textContent = t("question.written_first");
    $("code-written").focus();
    return;
  }
  if ($("code-remember").checked) storage.set(CODE_KEY, code);
  else storage.remove(CODE_KEY);
  refreshRemembered();
  // The code leaves the screen now; the thread stays open with it in memory.
  $("pickup-code").textContent = "";
  renderThread(asked);
  asked = null;
}

// --- coming back ------------------------------------------------------------------------------

function submitPickup(event) {
  event.preventDefault();
  const typed = $("pickup-input").value.trim();
  if (!typed) { $("pickup-error").textContent = t("question.code_hint"); return; }
  pickup(typed, $("pickup-error"));
}

// errorNode: where a wrong code is reported (null: after asking, it cannot be wrong).
function pickup(typed, errorNode) {
  const button = $("pickup-open");
  button.disabled = true;
  const onWait = errorNode ? busy(errorNode) : null;
  emitWithProof("pickup", { code: typed }, { onWait, done: (ack) => {
    button.disabled = false;
    if (!ack.ok) {
      const text = refusal(ack);
      if (errorNode) { errorNode.textContent = text; $("pickup-input").focus(); }
      else announce(text);
      return;
    }
    if (errorNode) errorNode.textContent = "";
    code = typed;
    $("pickup-input").value = "";
    renderThread(ack.thread);
  } });
}

function renderThread(thread) {
  threadId = thread.id;
  answerTime = thread.answer_time || answerTime;
  const list = $("thread-messages");
  list.replaceChildren();
  thread.messages.forEach(addMessage);
  renderStatus(thread.state);
  const expires = new Date(thread.expires_ms);
  $("thread-expiry").textContent = t("question.expires", { date: dateFormat.format(expires) });
  $("delete-confirm").hidden = true;
  $("thread-note").textContent = "";
  $("reply-error").textContent = "";
  liveCounselor = thread.live_counselor || null;
  renderLiveOffer();
  show("thread");
}

// --- back to the same counselor live (opt-in) -------------------------------------------------

let liveCounselor = null;  // {name}: this thread's counselor, on duty at pickup

function renderLiveOffer() {
  const open = state.availability && state.availability.available;
  const free = state.server !== "queued" && state.server !== "chatting";
  const box = $("thread-live");
  box.hidden = !(liveCounselor && open && free && !state.offline);
  const name = liveCounselor && liveCounselor.name;
  $("thread-live-text").textContent = name ? t("question.live_text", { name })
    : t("question.live_text_unnamed");
  $("thread-live-error").textContent = "";
}

function chatLive() {
  const button = $("thread-live-start");
  const name = (liveCounselor && liveCounselor.name) || null;
  button.disabled = true;
  clearTranscript();  // a new chat: nothing of an earlier one on screen
  state.endedMode = null;
  emitWithProof("request_chat", { thread_id: threadId, urgent: false }, { done: (ack, tooBusy) => {
    button.disabled = false;
    if (!ack.ok && !ack.availability) { $("thread-live-error").textContent = refusal(ack); return; }
    forgetThread();
    // Leave the thread view, unless chat_started (taken at once) already showed the chat.
    if (state.view === "thread") show("loading");
    finishRequest(ack, tooBusy);
    if (ack.ok && !ack.same_counselor) {
      const line = name ? t("question.live_other", { name }) : t("question.live_other_unnamed");
      $("queue-status").textContent += " " + line;
      announce(line);
    }
  } });
}

function renderStatus(threadState) {
  const answered = threadState === "answered";
  let text = answered ? t("question.answered") : threadState === "done"
    ? t("question.done_state") : t("question.waiting");
  if (!answered && threadState !== "done" && answerTime) {
    text += " " + t("question.promise", { time: duration(answerTime.promise_hours * 3600) });
  }
  $("thread-status").textContent = text;
}

function addMessage(message) {
  if (document.querySelector(`[data-message-id="${CSS.escape(message.id)}"]`)) return;
  const mine = message.sender === "visitor";
  const item = el("li", "thread-message " + (mine ? "from-visitor" : "from-counselor"));
  item.dataset.messageId = message.id;
  const who = mine ? t("question.you") : (message.counselor_name || t("question.counselor"));
  item.appendChild(el("p", "thread-who", who));
  item.appendChild(el("p", "thread-text", message.text));
  $("thread-messages").appendChild(item);
}

function sendReply(event) {
  event.preventDefault();
  const text = $("reply-text").value.trim();
  if (!text || !threadId) return;
  const button = $("reply-send");
  button.disabled = true;
  emitWithAck("reply", { thread_id: threadId, client_id: newClientId(), text }, (ack) => {
    button.disabled = false;
    if (!ack.ok) { $("reply-error").textContent = errorText(ack); return; }
    $("reply-text").value = "";
    $("reply-error").textContent = "";
    addMessage(ack.message);
    renderStatus("open");
  });
}

function markDone() {
  emitWithAck("thread_done", { thread_id: threadId }, (ack) => {
    if (!ack.ok) { $("thread-note").textContent = errorText(ack); return; }
    renderStatus("done");
    $("thread-note").textContent = t("question.marked_done");
  });
}

function deleteThread() {
  emitWithAck("delete_thread", { thread_id: threadId }, (ack) => {
    if (!ack.ok) { $("thread-note").textContent = errorText(ack); return; }
    if (storage.get(CODE_KEY) === code) storage.remove(CODE_KEY);
    refreshRemembered();
    forgetThread();
    back();
    announce(t("question.deleted"));
  });
}

function refreshRemembered() {
  const remembered = Boolean(storage.get(CODE_KEY));
  document.querySelectorAll("[data-question=remembered]").forEach((b) => { b.hidden = !remembered; });
}

// --- after a long wait in the queue -----------------------------------------------------------

function watchQueue() {
  const box = $("queue-ask");
  if (!box) return;
  const waited = queuedSince !== null && Date.now() - queuedSince >= settings.offer_after_wait_s * 1000;
  if (state.server !== "queued") queuedSince = null;
  else if (queuedSince === null) queuedSince = Date.now();
  box.hidden = !(state.server === "queued" && settings.offer_after_wait_s > 0 && waited);
}

// --- wiring -----------------------------------------------------------------------------------

export function setUpQuestions() {
  if (!settings) return;
  renderAnswerTime();
  refreshRemembered();
  document.addEventListener("click", (event) => {
    const action = event.target.closest && event.target.closest("[data-question]");
    if (!action) return;
    const what = action.dataset.question;
    if (what === "ask") openAsk();
    else if (what === "pickup") openPickup();
    else if (what === "back") back();
    else if (what === "remembered") pickup(storage.get(CODE_KEY), null);
    else if (what === "later") keepTalkingLater();
  });
  $("ask-form").addEventListener("submit", sendQuestion);
  $("code-copy").addEventListener("click", copyCode);
  $("code-done").addEventListener("click", codeWrittenDown);
  $("pickup-form").addEventListener("submit", submitPickup);
  $("reply-form").addEventListener("submit", sendReply);
  $("thread-done").addEventListener("click", markDone);
  $("thread-delete").addEventListener("click", () => {
    $("delete-confirm").hidden = false;
    $("delete-no").focus();
  });
  $("delete-no").addEventListener("click", () => {
    $("delete-confirm").hidden = true;
    $("thread-delete").focus();
  });
  $("delete-yes").addEventListener("click", deleteThread);
  $("thread-live-start").addEventListener("click", chatLive);
  on("availability", () => { if (state.view === "thread") renderLiveOffer(); });
  on("thread_message", (message) => {
    if (!message || message.thread_id !== threadId) return;
    addMessage(message);
    if (message.sender === "counselor") {
      renderStatus("answered");
      announce(t("question.new_answer"));
    }
  });
  on("later_offered", () => {
    $("later-offer").hidden = false;
    announce(t("question.later_text"));
  });
  on("thread_deleted", (data) => { if (data && data.thread_id === threadId && state.view === "thread") back(); });
  // A new connection has forgotten which threads this socket opened: open ours again.
  on("connect", () => { if (code && state.view === "thread") pickup(code, null); });
  window.setInterval(watchQueue, 1000);
}
