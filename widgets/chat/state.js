// The widget's page configuration, strings, storage and the one state object every module
// shares. Privacy rules kept here: the token lives only in sessionStorage (or memory), and
// nothing is stored once a quick exit began.

export const config = JSON.parse(document.getElementById("helpchat-config").textContent);
export const lang = config.lang;
export const parentOrigin = config.parent_origin;
export const embedded = window.parent !== window && Boolean(parentOrigin);
export const TOKEN_KEY = "helpchat.token";
export const COUNSELOR_KEY = "helpchat.counselor";

export const state = {
  view: "loading",
  server: null,          // the session state the server last told us: idle|queued|chatting|ended
  availability: null,
  conversationId: null,
  counselorName: null,
  lastId: null,          // newest server message id seen, for `sync`
  queueShown: null,      // the last queue place and wait shown, to explain when they grow
  items: new Map(),      // client_id or server id -> transcript entry
  connectedOnce: false,
  endedMode: null,       // "ended" | "left": the local ended view stays until "new chat"
  dismissed: null,       // the ended conversation the visitor closed with "new chat"
  loaderContacts: null,
  offline: false,        // showing what we know without a socket
  asking: false,         // a fallback request to /api/availability is under way
  exiting: false,
  typingSent: false,
  typingTimer: null,
  counselorTypingTimer: null,
  escapes: []
};

export function $(id) { return document.getElementById(id); }

// t("queue.position", {position: 2}) -> the text of "widget.queue.position" in the page language.
export function t(key, params) {
  const text = config.i18n["widget." + key] || key;
  return text.replace(/\{(\w+)\}/g, (match, name) =>
    params && params[name] !== undefined ? String(params[name]) : match);
}

export function hasText(key) {
  return Boolean(config.i18n["widget." + key]);
}

// sessionStorage lets a reload resume the chat. Browsers that block storage in third-party
// frames (chat server on another site than the host page) get the in-memory copy only: the
// chat then survives reconnects but not a reload.
let memory = {};
export const storage = {
  get(key) {
    if (Object.prototype.hasOwnProperty.call(memory, key)) return memory[key];
    try { return window.sessionStorage.getItem(key); } catch (e) { return null; }
  },
  set(key, value) {
    if (state.exiting) return;
    memory[key] = value;
    try { window.sessionStorage.setItem(key, value); } catch (e) { /* storage blocked */ }
  },
  remove(key) {
    delete memory[key];
    try { window.sessionStorage.removeItem(key); } catch (e) { /* storage blocked */ }
  },
  clear() {
    memory = {};
    try { window.sessionStorage.clear(); } catch (e) { /* storage blocked */ }
  }
};

// Text always goes in through textContent, never as HTML.
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

export function newClientId() {
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// Redis stream ids "ms-seq": numeric parts, compared in order.
export function compareIds(a, b) {
  const pa = String(a).split("-").map(Number);
  const pb = String(b).split("-").map(Number);
  return (pa[0] - pb[0]) || ((pa[1] || 0) - (pb[1] || 0));
}

export function announce(text) {
  const node = $("announcer");
  node.textContent = "";
  window.setTimeout(() => { node.textContent = text; }, 50);
}

export function postToParent(message) {
  if (embedded) window.parent.postMessage(message, parentOrigin);
}

export function errorText(ack) {
  return (ack && ack.error && ack.error.message) || t("error.generic");
}

export function rememberCounselor(name) {
  state.counselorName = name;
  storage.set(COUNSELOR_KEY, name);
}

export const timeFormat = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "nl-NL",
  { hour: "2-digit", minute: "2-digit" });
