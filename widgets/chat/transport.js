// The connection to the server: the socket.io client on /visitor, acknowledged emits with a
// timeout, the `sync` request after a (re)connect, and the plain HTTP availability endpoint the
// widget falls back to when no socket comes up. Knows nothing about the page.
import { TOKEN_KEY, lang, state, storage, t } from "./state.js";

const ACK_TIMEOUT_MS = 10000;
let socket = null;

export function connect() {
  socket = window.io("/visitor", {
    path: "/socket.io/",
    transports: ["websocket", "polling"],
    tryAllTransports: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 4000,
    timeout: 8000,
    auth(callback) {
      const auth = { lang };
      const token = storage.get(TOKEN_KEY);
      if (token) auth.token = token;
      callback(auth);
    }
  });
  return socket;
}

export function on(event, handler) {
  socket.on(event, handler);
}

export function isConnected() {
  return Boolean(socket && socket.connected);
}

// callback(ack): always called once, with an Ack-shaped object, unless a quick exit began.
export function emitWithAck(event, payload, callback) {
  if (!isConnected()) {
    callback({ ok: false, error: { code: "offline", message: t("error.offline") } });
    return;
  }
  socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, (err, ack) => {
    if (state.exiting) return;
    callback(err || !ack ? { ok: false, error: { code: "timeout", message: t("error.timeout") } } : ack);
  });
}

// Fire and forget (typing): nobody waits for the answer.
export function emitQuiet(event, payload) {
  if (isConnected()) socket.emit(event, payload, () => {});
}

// Messages after the newest one we have, and the server's view of the session.
export function sync(after, callback) {
  emitWithAck("sync", after ? { after } : {}, callback);
}

// The page of messages just before `before` (a long chat is sent newest page first).
export function syncBefore(before, callback) {
  emitWithAck("sync", { before }, callback);
}

// Quick exit: ask the server to end and forget the chat, but never hold the visitor up for
// long; `leave` runs once, at the latest after half a second.
export function forgetAndLeave(leave) {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    if (socket) socket.disconnect();
    leave();
  };
  if (isConnected()) {
    socket.timeout(400).emit("forget_me", { reason: "quick_exit" }, once);
    window.setTimeout(once, 500);
  } else {
    once();
  }
}

// A refused handshake is not retried by the client on its own; keep trying quietly.
export function retryRefused() {
  if (!socket.active) window.setTimeout(() => socket.connect(), 5000);
}

export function fetchAvailability() {
  return fetch("/api/availability?lang=" + encodeURIComponent(lang),
    { cache: "no-store", credentials: "omit" })
    .then((response) => {
      if (!response.ok) throw new Error("availability " + response.status);
      return response.json();
    });
}
