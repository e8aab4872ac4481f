// The widget's screens: unavailable (with contacts and hours), ready (the intake), chat (queued
// or chatting), ended (feedback). One is shown at a time; focus moves to its heading.
import {
  $, COUNSELOR_KEY, announce, errorText, hasText, postToParent, state, storage, t
} from "./state.js";
import { dayLabel, dayOf, formatTime, zoneNote } from "./clock.js";
import { emitWithAck, fetchAvailability, isConnected } from "./transport.js";
import { currentContacts, renderContacts } from "./contacts.js";
import { clearTranscript, stopTyping } from "./transcript.js";
import { emitWithProof } from "./proof.js";

// ask, code, pickup and thread: questions for later (questions.js), when enabled.
const VIEWS = ["loading", "unavailable", "ready", "chat", "ended", "ask", "code", "pickup", "thread"]
  .filter((name) => $("view-" + name));
export const FOCUS_TARGET = {
  unavailable: "unavailable-title", ready: "ready-title", chat: "chat-title", ended: "ended-title",
  ask: "ask-title", code: "code-title", pickup: "pickup-title", thread: "thread-title"
};

export function show(view) {
  const changed = state.view !== view;
  state.view = view;
  VIEWS.forEach((name) => { $("view-" + name).hidden = name !== view; });
  if (changed && FOCUS_TARGET[view]) $(FOCUS_TARGET[view]).focus({ preventScroll: true });
  // The loader reopens the panel after a reload of the host page while a chat runs.
  if (changed) postToParent({ type: "helpchat:active", active: view === "chat" });
  requestResize();
}

function requestResize() {
  // The chat wants all the height it can get; short views ask for what they need.
  const view = $("view-" + state.view);
  const wanted = state.view === "chat" ? 640
    : document.querySelector(".bar").offsetHeight + view.scrollHeight + 32;
  postToParent({ type: "helpchat:resize", height: wanted });
}

// --- unavailable / ready ----------------------------------------------------------------------

// While a question view is open the visitor stays in it: an availability push or a reconnect
// must never take away a pickup code that is shown only once.
const QUESTION_VIEWS = ["ask", "code", "pickup", "thread"];

export function renderUnavailable(availability, reason) {
  if (QUESTION_VIEWS.includes(state.view)) return;
  let why = reason || availability.reason || "closed";
  if (!hasText("unavailable." + why)) why = "no_counselor"; // a reason added later
  $("view-unavailable").dataset.reason = why; // no question offer when blocked or offline
  $("unavailable-title").textContent = t("unavailable." + why);
  $("unavailable-text").textContent = t("unavailable." + why + "_text");
  const next = availability.next_open_at ? new Date(availability.next_open_at) : null;
  const nextNode = $("unavailable-next");
  nextNode.hidden = !next || isNaN(next.getTime());
  if (!nextNode.hidden) {
    nextNode.textContent = t("unavailable.next_open",
      { day: dayLabel(dayOf(next)), time: formatTime(next) });
  }
  const rows = why === "closed" ? availability.opening_hours || [] : [];
  renderHours(rows);
  const note = zoneNote();
  const zoneNode = $("unavailable-zone");
  zoneNode.hidden = !note || (nextNode.hidden && rows.length === 0);
  zoneNode.textContent = note ? t("unavailable.zone", { zone: note }) : "";
  renderContacts(availability.contacts);
  show("unavailable");
}

function renderHours(rows) {
  const list = $("hours-list");
  list.replaceChildren();
  rows.forEach((row) => {
    const label = dayLabel(row.day);
    const item = document.createElement("li");
    item.textContent = t("unavailable.hours_row", { day: label, from: row.from, to: row.to });
    list.appendChild(item);
  });
  $("unavailable-hours").hidden = rows.length === 0;
}

export function renderIdle() {
  // Idle: the visitor may start a chat when the service is available.
  if (state.endedMode || QUESTION_VIEWS.includes(state.view)) return;
  const availability = state.availability;
  if (state.offline || !availability) {
    if (state.offline) renderUnavailable({ contacts: currentContacts() }, "offline");
    return;
  }
  if (availability.available) {
    renderContacts(availability.contacts);
    show("ready");
  } else {
    renderUnavailable(availability);
  }
}

export function onDangerChange() {
  const urgent = dangerAnswer() === "yes";
  const box = $("danger-box");
  box.hidden = !urgent;
  $("danger-text").textContent = urgent ? t("intake.danger_text") : "";
  requestResize();
  if (urgent) box.scrollIntoView({ block: "nearest" });
}

function dangerAnswer() {
  const checked = document.querySelector("input[name=danger]:checked");
  return checked ? checked.value : null;
}

// Under a flood the server asks for a proof of work (rate_limited + challenge): solved
// invisibly and sent again (proof.js); a wait (retry_after_ms) is said in plain words with the
// emergency contacts beside it.
export function requestChat(event) {
  event.preventDefault();
  const payload = { urgent: dangerAnswer() === "yes" };
  const topic = $("topic") && $("topic").value;
  if (topic) payload.topic = topic;
  $("intake-error").textContent = "";
  $("start-chat").disabled = true;
  emitWithProof("request_chat", payload, {
    done: finishRequest,
    onWait: (wait) => showBusy(t("intake.busy", { seconds: Math.ceil(wait / 1000) }))
  });
}

function showBusy(text) {
  $("busy-text").textContent = text;
  $("busy-box").hidden = false;
  requestResize();
}

export function finishRequest(ack, busy) {
  $("start-chat").disabled = false;
  $("busy-box").hidden = true;
  // Taken at once (back to the counselor of a question): chat_started came before the ack.
  if (ack.ok && state.server === "chatting" && state.conversationId === ack.conversation_id) return;
  if (ack.ok) {
    state.server = "queued";
    state.conversationId = ack.conversation_id;
    state.endedMode = null;
    state.queueShown = null;
    clearTranscript();
    showQueued({ position: ack.position, estimated_wait_s: ack.estimated_wait_s });
  } else if (ack.availability) {
    state.availability = ack.availability;
    renderUnavailable(ack.availability);
  } else if (ack.error && ack.error.code === "blocked") {
    renderUnavailable({ contacts: currentContacts() }, "blocked");
  } else if (busy) {
    showBusy(t("intake.busy_failed"));
  } else {
    $("intake-error").textContent = errorText(ack);
  }
}

// --- queued / chatting ------------------------------------------------------------------------

export function showQueued(position) {
  $("chat-title").textContent = t("queue.title");
  $("queue-hint").hidden = false;
  $("leave-queue").hidden = false;
  $("end-chat").hidden = true;
  $("end-confirm").hidden = true;
  if (position) updatePosition(position);
  const wasChat = state.view === "chat";
  show("chat");
  // Waiting visitors may type a first message right away.
  if (!wasChat) $("message").focus({ preventScroll: true });
}

const AHEAD_REASONS = ["urgent_ahead", "returned_ahead"];

// A place that goes back or a wait that grows is always explained in the same line (a live
// region, so it is read out too); the note stays until the place moves forward again.
function queueNote(data, before) {
  if (!before) return null;
  if (data.position > before.position) {
    return t(AHEAD_REASONS.includes(data.reason) ? "queue." + data.reason : "queue.someone_ahead");
  }
  if (data.position < before.position) return null;
  const wait = data.estimated_wait_s, was = before.estimated_wait_s;
  if (typeof wait === "number" && typeof was === "number" && wait > was) return t("queue.longer");
  return before.note;
}

export function updatePosition(data) {
  const note = queueNote(data, state.queueShown);
  state.queueShown = {
    position: data.position, estimated_wait_s: data.estimated_wait_s, note
  };
  const parts = [t("queue.position", { position: data.position })];
  if (typeof data.estimated_wait_s === "number") {
    const minutes = Math.max(1, Math.ceil(data.estimated_wait_s / 60));
    parts.push(t(minutes === 1 ? "queue.wait_one" : "queue.wait", { minutes }));
  } else {
    parts.push(t("queue.wait_unknown"));
  }
  if (note) parts.push(note);
  $("queue-status").textContent = parts.join(" ");
}

export function showChatting() {
  const name = state.counselorName;
  $("chat-title").textContent = name ? t("chat.with", { name }) : t("chat.with_unknown");
  $("queue-status").textContent = "";
  $("queue-hint").hidden = true;
  $("leave-queue").hidden = true;
  $("end-chat").hidden = false;
  show("chat");
}

export function leaveQueue() {
  emitWithAck("leave_queue", {}, (ack) => {
    if (!ack.ok) { announce(errorText(ack)); return; }
    showEnded({ mode: "left" });
  });
}

export function askEnd() {
  $("end-chat").hidden = true;
  $("end-confirm").hidden = false;
  $("end-no").focus();
}

export function cancelEnd() {
  $("end-confirm").hidden = true;
  $("end-chat").hidden = false;
  $("end-chat").focus();
}

export function endChat() {
  emitWithAck("end_chat", {}, (ack) => {
    if (!ack.ok) { announce(errorText(ack)); return; }
    if (state.view === "chat") showEnded({ by: "visitor" });
  });
}

// --- ended ------------------------------------------------------------------------------------

export function showEnded(info) {
  state.server = "ended";
  state.endedMode = info.mode || "ended";
  stopTyping();
  let title;
  if (info.mode === "left") title = t("ended.left");
  else if (info.reason === "blocked") title = t("ended.blocked");
  else if (info.by === "visitor") title = t("ended.by_visitor");
  else if (info.by === "counselor") {
    title = state.counselorName
      ? t("ended.by_counselor", { name: state.counselorName }) : t("ended.by_counselor_unknown");
  } else title = t("ended.generic");
  $("ended-title").textContent = title;
  const canRate = info.mode !== "left" && info.reason !== "blocked";
  $("feedback").hidden = !canRate;
  // A blocked session cannot start another chat: offer only the contacts.
  $("new-chat").hidden = info.reason === "blocked";
  $("feedback").reset();
  $("feedback-error").textContent = "";
  $("feedback-thanks").textContent = "";
  renderContacts(info.contacts);
  show("ended");
}

export function sendFeedback(event) {
  event.preventDefault();
  const checked = document.querySelector("input[name=rating]:checked");
  if (!checked) {
    $("feedback-error").textContent = t("feedback.pick");
    return;
  }
  const payload = { rating: Number(checked.value) };
  const comment = $("comment").value.trim();
  if (comment) payload.comment = comment;
  emitWithAck("feedback", payload, (ack) => {
    if (!ack.ok) { $("feedback-error").textContent = errorText(ack); return; }
    $("feedback").hidden = true;
    $("feedback-thanks").textContent = t("feedback.thanks");
    $("new-chat").focus();
  });
}

export function newChat() {
  state.dismissed = state.conversationId;
  state.endedMode = null;
  state.conversationId = null;
  state.counselorName = null;
  clearTranscript();
  storage.remove(COUNSELOR_KEY);
  $("intake").reset();
  onDangerChange();
  renderIdle();
  if (state.view === "loading") show("loading");
}

// --- without a socket -------------------------------------------------------------------------

// No socket (yet): ask the plain HTTP endpoint, then use the contacts we brought along.
// `failed`: the connection was refused or lost, not merely slow to come up.
export function fallBack(failed) {
  if (state.offline || state.asking) return;
  state.asking = true;
  fetchAvailability()
    .then((availability) => {
      if (isConnected() || (availability.available && !failed)) return;
      const contacts = availability.contacts && availability.contacts.length
        ? availability.contacts : currentContacts();
      state.offline = true;
      renderUnavailable({
        contacts,
        next_open_at: availability.available ? null : availability.next_open_at,
        opening_hours: availability.opening_hours
      }, availability.available ? "offline" : availability.reason);
    })
    .catch(() => {
      if (isConnected()) return;
      state.offline = true;
      renderUnavailable({ contacts: currentContacts() }, "offline");
    })
    .then(() => { state.asking = false; });
}
