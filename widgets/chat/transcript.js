// The conversation as the visitor sees it: entries in server order, own messages with their
// delivery status, resending what did not arrive, and the counselor's typing line.
import {
  $, compareIds, el, errorText, newClientId, postToParent, rememberCounselor, state, t, timeFormat
} from "./state.js";
import { emitQuiet, emitWithAck, isConnected, syncBefore } from "./transport.js";

export function clearTranscript() {
  state.items.clear();
  state.lastId = null;
  $("older").hidden = true;
  $("transcript").replaceChildren();
  $("typing").textContent = "";
}

function senderLabel(entry) {
  if (entry.sender === "visitor") return t("chat.you");
  if (entry.sender === "system") return t("chat.system");
  return entry.counselor_name || state.counselorName || t("chat.counselor");
}

function renderEntry(entry) {
  const node = entry.node || el("div");
  node.className = "msg msg-" + entry.sender;
  const meta = el("p", "msg-meta");
  meta.appendChild(el("span", "msg-sender", senderLabel(entry)));
  meta.appendChild(el("span", "msg-time", timeFormat.format(new Date(entry.ts_ms))));
  const text = el("p", "msg-text", entry.text);
  node.replaceChildren(meta, text);
  if (entry.sender === "visitor" && entry.client_id) node.appendChild(statusLine(entry));
  entry.node = node;
  return node;
}

function statusLine(entry) {
  const line = el("p", "msg-status msg-" + entry.status, t("chat.status_" + entry.status));
  if (entry.status === "failed") {
    if (entry.error) line.textContent = entry.error;
    const retry = el("button", "link-button", t("chat.retry"));
    retry.type = "button";
    retry.addEventListener("click", () => sendEntry(entry));
    line.appendChild(document.createTextNode(" "));
    line.appendChild(retry);
  }
  return line;
}

function placeEntry(entry, { older = false } = {}) {
  // Stored messages in server order (stream ids, not clocks, which may disagree); messages
  // still on their way stay at the end in the order they were sent.
  const list = $("transcript");
  const node = renderEntry(entry);
  let before = null;
  if (entry.id) {
    Array.prototype.some.call(list.children, (other) => {
      const id = other.dataset.id;
      if (other !== node && (!id || compareIds(id, entry.id) > 0)) before = other;
      return before !== null;
    });
  }
  if (entry.id) node.dataset.id = entry.id;
  const fromBottom = list.scrollHeight - list.scrollTop;
  list.insertBefore(node, before);
  // New messages scroll into view; earlier ones loaded above keep the reader where they were.
  list.scrollTop = older ? list.scrollHeight - fromBottom : list.scrollHeight;
}

// A long chat arrives newest page first (after a reload): `more` says earlier pages exist.
export function offerOlder(more) {
  $("older").hidden = !more;
}

export function loadOlder() {
  const oldest = $("transcript").querySelector("[data-id]");
  if (!oldest) return;
  const button = $("older");
  button.disabled = true;
  syncBefore(oldest.dataset.id, (ack) => {
    button.disabled = false;
    if (!ack.ok) return;
    (ack.messages || []).forEach((message) => addServerMessage(message, { older: true }));
    offerOlder(Boolean(ack.more));
  });
}

export function addServerMessage(message, { older = false } = {}) {
  if (state.items.has(message.id)) return;
  if (state.conversationId && message.conversation_id &&
      message.conversation_id !== state.conversationId) return;
  if (!state.lastId || compareIds(message.id, state.lastId) > 0) state.lastId = message.id;
  const own = message.client_id ? state.items.get(message.client_id) : null;
  if (own) {
    confirmEntry(own, message);
    return;
  }
  const entry = {
    id: message.id, client_id: message.client_id, sender: message.sender, text: message.text,
    ts_ms: message.ts_ms, counselor_name: message.counselor_name, status: "sent"
  };
  state.items.set(message.id, entry);
  if (message.client_id) state.items.set(message.client_id, entry);
  placeEntry(entry, { older });
  if (older) return;
  if (message.sender === "counselor") {
    if (message.counselor_name) rememberCounselor(message.counselor_name);
    postToParent({ type: "helpchat:attention" });
  }
}

function confirmEntry(entry, message) {
  entry.id = message.id;
  entry.ts_ms = message.ts_ms;
  entry.status = "sent";
  entry.error = null;
  state.items.set(message.id, entry);
  placeEntry(entry);
}

export function sendMessage(event) {
  if (event) event.preventDefault();
  const box = $("message");
  const text = box.value.trim();
  if (!text) return;
  box.value = "";
  stopTyping();
  const entry = {
    client_id: newClientId(), sender: "visitor", text, ts_ms: Date.now(), status: "sending"
  };
  state.items.set(entry.client_id, entry);
  placeEntry(entry);
  sendEntry(entry);
}

function sendEntry(entry) {
  setStatus(entry, "sending");
  // While disconnected the entry waits; resendPending() sends it after the resync.
  if (!isConnected()) return;
  emitWithAck("message", { client_id: entry.client_id, text: entry.text }, (ack) => {
    if (ack.ok) {
      if (!state.lastId || compareIds(ack.message.id, state.lastId) > 0) state.lastId = ack.message.id;
      confirmEntry(entry, ack.message);
    } else if (entry.status !== "sent") {
      const code = ack.error && ack.error.code;
      // Refusals a person should read in plain words: the chat is full, sending too fast, the
      // server is too busy. Too fast and too busy say when to try again: the widget does so.
      const plain = code === "too_large" || code === "rate_limited" ||
        (code === "internal" && ack.error.retry_after_ms);
      entry.error = plain ? errorText(ack) : null;
      setStatus(entry, "failed");
      // Too fast, or a Redis restart or failover: sent again by itself after the hint.
      if ((code === "rate_limited" || code === "internal") && ack.error.retry_after_ms) {
        setTimeout(() => { if (entry.status === "failed") sendEntry(entry); }, ack.error.retry_after_ms);
      }
    }
  });
}

function setStatus(entry, status) {
  entry.status = status;
  renderEntry(entry);
}

// The same client_id again: the server stores a resent message once.
export function resendPending() {
  state.items.forEach((entry, key) => {
    if (key === entry.client_id && entry.sender === "visitor" && entry.status !== "sent") {
      sendEntry(entry);
    }
  });
}

export function onComposerKey(event) {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) sendMessage(event);
}

export function onComposerInput() {
  if (state.server !== "chatting") return; // nobody to tell while waiting
  if (!state.typingSent) {
    state.typingSent = true;
    emitQuiet("typing", { typing: true });
  }
  window.clearTimeout(state.typingTimer);
  state.typingTimer = window.setTimeout(stopTyping, 3000);
}

export function stopTyping() {
  window.clearTimeout(state.typingTimer);
  if (!state.typingSent) return;
  state.typingSent = false;
  emitQuiet("typing", { typing: false });
}

export function onCounselorTyping(data) {
  window.clearTimeout(state.counselorTypingTimer);
  const typing = Boolean(data && data.typing);
  $("typing").textContent = typing
    ? t("chat.typing", { name: state.counselorName || t("chat.counselor") }) : "";
  // A lost "typing: false" must not leave the indicator on forever.
  if (typing) {
    state.counselorTypingTimer = window.setTimeout(() => { $("typing").textContent = ""; }, 15000);
  }
}
