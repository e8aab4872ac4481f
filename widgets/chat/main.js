// helpchat visitor chat: the page inside the loader's iframe (/widget/). This entry module
// wires the server's events and the page's controls to the views.
//
// Privacy rules the modules keep: the token lives only in sessionStorage; every text a person
// typed reaches the DOM through textContent, never as HTML; quick exit forgets everything.
import {
  $, COUNSELOR_KEY, TOKEN_KEY, announce, config, embedded, parentOrigin, postToParent,
  rememberCounselor, state, storage, t
} from "./state.js";
import * as transport from "./transport.js";
import { announceQuickExit, quickExit, setUpQuickExit } from "./quickexit.js";
import { setUpQuestions } from "./questions.js";
import { renderContacts } from "./contacts.js";
import {
  addServerMessage, clearTranscript, loadOlder, offerOlder, onComposerInput, onComposerKey,
  onCounselorTyping, resendPending, sendMessage
} from "./transcript.js";
import {
  FOCUS_TARGET, askEnd, cancelEnd, endChat, fallBack, leaveQueue, newChat, onDangerChange,
  renderIdle, requestChat, sendFeedback, showChatting, showEnded, showQueued, updatePosition
} from "./views.js";

// --- colors: keep text on the accent color and accent-colored text >= 4.5:1 --------------------

function luminance(hex) {
  const rgb = [1, 3, 5].map((i) => {
    const c = parseInt(hex.substr(i, 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
}

function contrast(a, b) {
  const la = luminance(a), lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

function darken(hex, factor) {
  return "#" + [1, 3, 5].map((i) => {
    const c = Math.round(parseInt(hex.substr(i, 2), 16) * factor);
    return c.toString(16).padStart(2, "0");
  }).join("");
}

function applyColor(color) {
  if (!/^#[0-9a-f]{6}$/i.test(color)) return;
  let text = color;
  while (contrast(text, "#ffffff") < 4.6) text = darken(text, 0.9);
  const root = document.documentElement.style;
  root.setProperty("--accent", color);
  root.setProperty("--on-accent", contrast(color, "#ffffff") >= 4.6 ? "#ffffff" : "#111111");
  root.setProperty("--accent-text", text);
}

// --- the server's events ----------------------------------------------------------------------

// The server answers in pages: after our newest message, follow `more` until caught up.
// `then(ack)` hears the server's last answer (null when the request failed).
function catchUp(then) {
  const since = state.lastId;
  transport.sync(since, (ack) => {
    if (!ack.ok) { then(null); return; }
    (ack.messages || []).forEach((message) => addServerMessage(message));
    if (since && ack.more && ack.messages && ack.messages.length) { catchUp(then); return; }
    if (!since) offerOlder(Boolean(ack.more));
    if (ack.state === "ended" && state.view === "chat") showEnded({});
    then(ack);
  });
}

// After a (re)connect or a lost pub/sub link: what we missed, then what we could not send.
function resync() {
  catchUp((ack) => { if (ack) resendPending(); });
}

function onSession(data) {
  if (state.exiting) return;
  const previous = storage.get(TOKEN_KEY);
  storage.set(TOKEN_KEY, data.token);
  if (previous && previous !== data.token) {
    // The server did not know our token any more: whatever we showed is gone.
    clearTranscript();
    state.endedMode = null;
  }
  state.server = data.state;
  state.conversationId = data.conversation_id;
  if (data.state === "queued") {
    showQueued(null);
    resync();
  } else if (data.state === "chatting") {
    showChatting();
    resync();
  } else if (data.state === "blocked") {
    // Still blocked after a reload: only "the chat has ended", the contacts, no new chat.
    showEnded({ reason: "blocked" });
  } else if (data.state === "ended" && !state.endedMode && state.conversationId &&
             state.conversationId !== state.dismissed) {
    showEnded({});
  } else {
    renderIdle();
  }
}

function onAvailability(data) {
  if (state.exiting) return;
  // The same reading again (the socket's welcome after the page's own fetch): drawing the
  // list anew would take the focus and the scroll position from someone reading it.
  if (state.availability && JSON.stringify(state.availability) === JSON.stringify(data)) return;
  const wasAvailable = Boolean(state.availability && state.availability.available);
  state.availability = data;
  if (state.server === "idle" || (state.server === "ended" && !state.endedMode)) renderIdle();
  // An open widget that now shows "not available" turned this visit away: Insights counts it
  // (the server checks the claim and counts once per visit).
  if (wasAvailable && !data.available && state.server === "idle" && state.view === "unavailable") {
    transport.emitQuiet("unavailable_shown", {});
  }
}

// A queue place that reaches a chatting widget is either a hand-back (transfer to the queue,
// counselor gone: the server set the session queued before it pushed) or old news: another
// server process read the queue just before the take, and its push came after chat_started.
// Only the session's state on the server tells them apart, so the widget asks (`sync`).
const handBack = {
  asking: false,
  again: false,   // another place came while asking: the answer may predate its cause
  latest: null,   // the newest place pushed, to show if the server says queued
  starts: 0       // chat_started events so far: one after asking makes the answer old news
};

function checkHandBack(data) {
  handBack.latest = data;
  if (handBack.asking) { handBack.again = true; return; }
  handBack.asking = true;
  handBack.again = false;
  const starts = handBack.starts;
  catchUp((ack) => {
    handBack.asking = false;
    if (state.server !== "chatting") return;
    if (handBack.again) { checkHandBack(handBack.latest); return; }
    // A failed request changes nothing: a reconnect's `session` tells the state anyway.
    if (!ack || ack.state !== "queued" || handBack.starts !== starts) return;
    state.server = "queued";
    state.queueShown = null;
    showQueued(handBack.latest);
  });
}

function onQueuePosition(data) {
  if (state.server === "chatting") checkHandBack(data);
  else if (state.server === "queued") updatePosition(data);
}

function onChatStarted(data) {
  handBack.starts += 1;
  // Also sent again after every reconnect: announce only the real start. While a queue place
  // is being checked, the chat may have gone back and been taken again: that start is real.
  const isNew = state.server !== "chatting" || handBack.asking;
  state.server = "chatting";
  state.conversationId = data.conversation_id;
  rememberCounselor(data.counselor_name);
  showChatting();
  if (!isNew) return;
  announce(t("chat.started", { name: data.counselor_name }));
  postToParent({ type: "helpchat:attention" });
}

function onChatEnded(data) {
  // After "leave the queue" the ack already showed the right view.
  if (state.exiting || state.endedMode === "left") return;
  onCounselorTyping({ typing: false });
  showEnded({
    by: data.by, reason: data.reason, contacts: data.contacts,
    mode: data.reason === "left_queue" ? "left" : undefined
  });
  announce($("ended-title").textContent);
  postToParent({ type: "helpchat:attention" });
}

function onDisconnect(reason) {
  if (state.exiting || reason === "io client disconnect") return;
  // Mid-chat the transcript stays and a banner says we are reconnecting; otherwise the
  // connect_error that follows shows the contacts.
  if (state.server === "queued" || state.server === "chatting") $("banner").hidden = false;
}

function onConnectError() {
  if (state.exiting) return;
  if (state.server === "queued" || state.server === "chatting") {
    $("banner").hidden = false;
    return;
  }
  fallBack(true);
  transport.retryRefused();
}

function listen() {
  transport.connect();
  transport.on("connect", () => {
    state.connectedOnce = true;
    state.offline = false;
    $("banner").hidden = true;
  });
  transport.on("session", onSession);
  transport.on("availability", onAvailability);
  transport.on("queue_position", onQueuePosition);
  transport.on("chat_started", onChatStarted);
  transport.on("message", (message) => {
    if (!state.exiting && message && message.id) addServerMessage(message);
  });
  transport.on("typing", onCounselorTyping);
  transport.on("chat_ended", onChatEnded);
  // The server lost events for a moment (its pub/sub link dropped): fetch what we missed.
  transport.on("resync", () => { if (state.server === "queued" || state.server === "chatting") resync(); });
  transport.on("disconnect", onDisconnect);
  transport.on("connect_error", onConnectError);
}

// --- messages from the loader -----------------------------------------------------------------

function onParentMessage(event) {
  if (!embedded || event.origin !== parentOrigin || event.source !== window.parent) return;
  const data = event.data;
  if (!data || typeof data.type !== "string") return;
  if (data.type === "helpchat:init" && Array.isArray(data.contacts)) {
    state.loaderContacts = data.contacts.filter((c) => c && typeof c.name === "string");
    if (state.offline) renderContacts();
  } else if (data.type === "helpchat:open") {
    const target = state.view === "chat" ? $("message") : $(FOCUS_TARGET[state.view] || "quick-exit");
    if (target) target.focus({ preventScroll: true });
    announceQuickExit();
  } else if (data.type === "helpchat:quick_exit") {
    quickExit();
  }
}

// --- wiring -----------------------------------------------------------------------------------

applyColor(config.color);
renderContacts();
window.addEventListener("message", onParentMessage);
$("close").hidden = !embedded;
$("close").addEventListener("click", () => postToParent({ type: "helpchat:close" }));
setUpQuickExit();
document.querySelectorAll("input[name=danger]").forEach((input) => {
  input.addEventListener("change", onDangerChange);
});
$("intake").addEventListener("submit", requestChat);
$("composer").addEventListener("submit", sendMessage);
$("message").addEventListener("keydown", onComposerKey);
$("message").addEventListener("input", onComposerInput);
$("leave-queue").addEventListener("click", leaveQueue);
$("older").addEventListener("click", loadOlder);
$("end-chat").addEventListener("click", askEnd);
$("end-no").addEventListener("click", cancelEnd);
$("end-yes").addEventListener("click", endChat);
$("feedback").addEventListener("submit", sendFeedback);
$("new-chat").addEventListener("click", newChat);
state.counselorName = storage.get(COUNSELOR_KEY);
listen();
// Helplines open and close by the clock, not by a push from the server.
window.setInterval(() => { if (!state.exiting) renderContacts(); }, 60000);
setUpQuestions();
// A connection that hangs (a proxy swallowing websockets) fails only after the client's
// timeout; the visitor sees what the plain HTTP endpoint says long before that.
window.setTimeout(() => { if (!state.connectedOnce) fallBack(false); }, 3000);
postToParent({ type: "helpchat:ready" });
