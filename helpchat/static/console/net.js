// The /counselor socket: acked calls, the offline banner, and keeping the login alive.
import { config, t } from "./i18n.js";

const CALL_TIMEOUT_MS = 10000;
const TOUCH_EVERY_MS = 5 * 60 * 1000;
const LOGIN_URL = "/login?next=/console/";

export function openSocket() {
  // socket.io.min.js (a classic script loaded before this module) defines window.io.
  return window.io("/counselor", {
    auth: { lang: config.lang },
    transports: ["websocket", "polling"],
    reconnectionDelayMax: 5000,
  });
}

// Emit with an acknowledgement; never throws. Offline calls fail at once instead of being
// buffered: a "take" or "end" must not happen minutes later when the connection returns.
export async function call(socket, event, payload = {}) {
  if (!socket.connected) {
    return { ok: false, error: { code: "offline", message: t("banner.offline") } };
  }
  try {
    return await socket.timeout(CALL_TIMEOUT_MS).emitWithAck(event, payload);
  } catch {
    return { ok: false, error: { code: "timeout", message: t("error.timeout") } };
  }
}

export function errorText(ack) {
  return ack?.error?.message || ack?.error?.code || t("error.timeout");
}

// True when the login session is still valid (this also resets its idle timer).
export async function sessionAlive() {
  try {
    const response = await fetch("/console/session", { credentials: "same-origin", cache: "no-store" });
    return response.ok;
  } catch {
    return true; // the network is down, not the session: keep trying
  }
}

export function goToLogin() {
  window.location.assign(LOGIN_URL);
}

// While the counselor works, touch the session now and then so a long shift never logs out.
export function keepSessionAlive() {
  let last = Date.now();
  const touch = async () => {
    if (Date.now() - last < TOUCH_EVERY_MS) return;
    last = Date.now();
    if (!(await sessionAlive())) goToLogin();
  };
  for (const event of ["keydown", "pointerdown"]) {
    document.addEventListener(event, touch, { passive: true });
  }
}

// Banner while the connection is down; handles refusals (logged out elsewhere, expired).
export function watchConnection(socket, { onReconnect }) {
  const banner = document.getElementById("conn-banner");
  let everConnected = false;
  let leaving = false; // logging out: the server closing our socket is expected
  document.querySelector("form.logout")?.addEventListener("submit", () => { leaving = true; });
  socket.on("connect", () => {
    banner.hidden = true;
    document.body.classList.remove("offline");
    if (everConnected) onReconnect();
    everConnected = true;
  });
  socket.on("disconnect", async (reason) => {
    if (leaving) return;
    banner.hidden = false;
    document.body.classList.add("offline");
    if (reason === "io server disconnect") {
      // The server closed us on purpose (logout, disabled account): only retry if still valid.
      if (await sessionAlive()) socket.connect();
      else goToLogin();
    }
  });
  socket.on("connect_error", async () => {
    banner.hidden = false;
    document.body.classList.add("offline");
    if (socket.active) return; // the client retries by itself
    if (await sessionAlive()) setTimeout(() => socket.connect(), 2000);
    else goToLogin();
  });
}
