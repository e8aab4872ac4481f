// Load generator for `make bench`: real socket.io-client 4 sockets (as the widget and the console
// use), driven by the Python harness (tests/bench/harness.py) over stdin/stdout.
//
// stdin: one JSON command per line; stdout: one JSON answer per command ({"event": ...}).
// Progress and errors go to stderr. Sockets stay open between commands, so the harness can pair
// chats once and then run several load steps, reading server CPU between them.
//
// Commands:
//   {"cmd": "connect", "url", "n", "deflate", "batch", "kind": "sio"|"ws"}
//       n visitor sockets; batch 0 = all at once (a burst), else batch by batch (idle memory).
//   {"cmd": "disconnect"}                 every socket of "connect" closed at once
//   {"cmd": "counselors", "url", "accounts": [name], "password", "max_chats"}
//       POST /api/session per account, /counselor with that cookie, set_duty on
//   {"cmd": "pair", "url", "chats", "concurrency"}
//       visitors request_chat on url; a counselor with a free slot takes each by id
//   {"cmd": "step", "rate", "seconds", "drain_s"}
//       open-loop messages at `rate`/s over the paired chats, alternating direction per chat;
//       latency = send -> the other side's `message` event with that client_id
//   {"cmd": "arrivals", "url", "rate", "seconds"}
//       pairing: visitors arrive at `rate`/s; request_chat -> chat_started at the visitor
//   {"cmd": "close"}                      every socket closed; the process then exits

import { createInterface } from "node:readline";
import { performance } from "node:perf_hooks";
import { io } from "socket.io-client";
import WebSocket from "ws";

const ACK_TIMEOUT_MS = 15000;
// A visitor that is connected but has no `session` by then never gets one (the server's
// handler failed): counted as a failure rather than waited for.
const SESSION_TIMEOUT_MS = 5000;
const now = () => performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (...args) => process.stderr.write(`loadgen: ${args.join(" ")}\n`);

const state = { idle: [], counselors: [], chats: [], visitors: [], seq: 0 };

function stats(samples) {
  if (!samples.length) return { n: 0, p50: null, p90: null, p99: null, max: null, mean: null };
  const sorted = Float64Array.from(samples).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  const round = (v) => Math.round(v * 100) / 100;
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return { n: sorted.length, p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)),
           max: round(sorted[sorted.length - 1]), mean: round(mean) };
}

function count(map, key) {
  map[key] = (map[key] || 0) + 1;
}

function errorCode(error) {
  if (!error) return "unknown";
  if (error.code) return String(error.code);
  return String(error.message || error).slice(0, 60);
}

function socket(url, namespace, { deflate = true, headers = undefined } = {}) {
  return io(url + namespace, {
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    timeout: 20000,
    auth: namespace === "/visitor" ? { lang: "nl" } : undefined,
    extraHeaders: headers,
    // ws offers permessage-deflate when given options, as every browser does.
    perMessageDeflate: deflate ? { threshold: 1024 } : false,
  });
}

// A visitor socket and the promise of its `session` event (or the connect error).
function visitor(url, deflate = true) {
  const sock = socket(url, "/visitor", { deflate });
  const session = new Promise((resolve, reject) => {
    sock.once("session", resolve);
    sock.once("connect_error", reject);
    sock.once("disconnect", (reason) => reject(new Error(`disconnect: ${reason}`)));
    // Connected but never told its session: the failure the issue saw under a burst.
    setTimeout(() => reject(new Error(sock.connected ? "no session" : "no connect")),
               SESSION_TIMEOUT_MS);
  });
  return { sock, session };
}

function bareWs(url, deflate) {
  const ws = new WebSocket(url.replace(/^http/, "ws") + "/ws", { perMessageDeflate: deflate });
  const session = new Promise((resolve, reject) => {
    ws.once("message", resolve);
    ws.once("error", reject);
    setTimeout(() => reject(new Error("no hello")), SESSION_TIMEOUT_MS);
  });
  return { sock: ws, session };
}

async function connect({ url, n, deflate = true, batch = 0, kind = "sio" }) {
  const started = now();
  const times = [];
  const errors = {};
  let ok = 0;
  let lastOk = started;
  const one = async () => {
    const t0 = now();
    const made = kind === "ws" ? bareWs(url, deflate) : visitor(url, deflate);
    state.idle.push(made.sock);
    try {
      await made.session;
      lastOk = now();
      times.push(lastOk - t0);
      ok += 1;
    } catch (error) {
      count(errors, errorCode(error));
    }
  };
  const size = batch > 0 ? batch : n;
  for (let i = 0; i < n; i += size) {
    await Promise.all(Array.from({ length: Math.min(size, n - i) }, one));
  }
  // The rate counts the time to the last success: a failure's time-out is not connecting.
  const seconds = (lastOk - started) / 1000;
  // Connections still open, with or without a session (a refused namespace leaves the
  // Engine.IO connection up): what holds the server's memory.
  const isOpen = (s) => (s.io ? s.io.engine?.readyState === "open" : s.readyState === WebSocket.OPEN);
  const open = state.idle.filter(isOpen).length;
  return { event: "connected", n, ok, failed: n - ok, open, errors, seconds,
           total_seconds: (now() - started) / 1000, per_s: Math.round(ok / (seconds || 1e-3)),
           session_ms: stats(times) };
}

async function disconnect() {
  const started = now();
  const n = state.idle.length;
  for (const sock of state.idle) (sock.disconnect ? sock.disconnect() : sock.close());
  state.idle = [];
  return { event: "disconnected", n, seconds: (now() - started) / 1000 };
}

// POST /api/session; a 429 (the server's argon2 work is full) is retried after Retry-After,
// as a person would press the button again.
async function login(url, name, password) {
  for (let attempt = 0; ; attempt += 1) {
    const response = await fetch(`${url}/api/session`, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: name, password }),
    });
    if (response.status === 429 && attempt < 20) {
      await sleep(1000 * Number(response.headers.get("retry-after") || 1));
      continue;
    }
    if (response.status !== 200) throw new Error(`login ${name}: HTTP ${response.status}`);
    return sessionCookie(response);
  }
}

function sessionCookie(response) {
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith("helpchat_session="));
  return cookie.split(";")[0];
}

// At most `concurrency` calls of fn at a time, in order; the results.
async function limited(items, concurrency, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

async function counselors({ url, accounts, password, max_chats = 3 }) {
  const started = now();
  const errors = {};
  // A few logins at a time: helpchat verifies at most 2 passwords at once per process.
  const made = await limited(accounts, 4, async (name) => {
    try {
      const cookie = await login(url, name, password);
      const sock = socket(url, "/counselor", { headers: { Cookie: cookie } });
      await new Promise((resolve, reject) => {
        sock.once("duty", resolve);
        sock.once("connect_error", reject);
      });
      const ack = await sock.timeout(ACK_TIMEOUT_MS).emitWithAck("set_duty", { on: true });
      if (!ack.ok) throw ack.error;
      const counselor = { sock, name, free: max_chats };
      listen(sock, "counselor");
      return counselor;
    } catch (error) {
      count(errors, errorCode(error));
      return null;
    }
  });
  state.counselors.push(...made.filter(Boolean));
  return { event: "counselors", ok: made.filter(Boolean).length, failed: accounts.length -
           made.filter(Boolean).length, errors, seconds: (now() - started) / 1000 };
}

function freeCounselor() {
  let best = null;
  for (const c of state.counselors) if (c.free > 0 && (!best || c.free > best.free)) best = c;
  if (best) best.free -= 1;
  return best;
}

// One visitor from connect to chat_started; resolves with figures, never rejects.
async function oneChat(url) {
  const figures = { ok: false };
  const { sock, session } = visitor(url);
  state.visitors.push(sock);
  try {
    await session;
    const started = new Promise((resolve) => sock.once("chat_started", resolve));
    const t0 = now();
    const queued = await sock.timeout(ACK_TIMEOUT_MS).emitWithAck("request_chat", {});
    figures.request_ms = now() - t0;
    if (!queued.ok) return { ...figures, error: `request_chat ${queued.error?.code}` };
    const counselor = freeCounselor();
    if (!counselor) return { ...figures, error: "no counselor slot (harness)" };
    const t1 = now();
    const taken = await counselor.sock.timeout(ACK_TIMEOUT_MS)
      .emitWithAck("take", { conversation_id: queued.conversation_id });
    figures.take_ms = now() - t1;
    if (!taken.ok) return { ...figures, error: `take ${taken.error?.code}` };
    await Promise.race([started, sleep(ACK_TIMEOUT_MS).then(() => {
      throw new Error("no chat_started");
    })]);
    figures.pairing_ms = now() - t0;
    figures.ok = true;
    figures.chat = { cid: queued.conversation_id, visitor: sock, counselor: counselor.sock };
    listen(sock, "visitor");
    return figures;
  } catch (error) {
    return { ...figures, error: errorCode(error) };
  }
}

async function pair({ url, chats, concurrency = 50 }) {
  const started = now();
  const errors = {};
  const results = await limited(Array.from({ length: chats }), concurrency, () => oneChat(url));
  for (const result of results) {
    if (result.ok) state.chats.push(result.chat);
    else count(errors, result.error);
  }
  return { event: "paired", chats: state.chats.length, failed: chats - state.chats.length, errors,
           seconds: (now() - started) / 1000 };
}

// --- message load --------------------------------------------------------------------------------

const pending = new Map(); // client_id -> {t, to}
let step = null; // figures of the running step

function listen(sock, side) {
  if (sock.helpchatListening) return;
  sock.helpchatListening = true;
  sock.on("message", (message) => {
    const sent = pending.get(message.client_id);
    if (!sent || sent.to !== side) return; // own echo, or a message from before this step
    pending.delete(message.client_id);
    if (step) {
      step.lastAt = now();
      step.latency.push(step.lastAt - sent.t);
    }
  });
}

function send(chat, fromVisitor) {
  const clientId = `b${state.seq++}`;
  const sock = fromVisitor ? chat.visitor : chat.counselor;
  const body = { client_id: clientId, text: `bench ${clientId}` };
  if (!fromVisitor) body.conversation_id = chat.cid;
  const figures = step;
  const t0 = now();
  pending.set(clientId, { t: t0, to: fromVisitor ? "counselor" : "visitor" });
  figures.sent += 1;
  sock.timeout(ACK_TIMEOUT_MS).emitWithAck("message", body).then((ack) => {
    figures.ack.push(now() - t0);
    if (ack.ok) figures.acked += 1;
    else {
      count(figures.ack_errors, ack.error?.code || "unknown");
      pending.delete(clientId);
    }
  }, (error) => {
    count(figures.ack_errors, errorCode(error));
  });
}

async function runStep({ rate, seconds, drain_s = 5 }) {
  const chats = state.chats;
  if (!chats.length) throw new Error("step: no chats paired");
  pending.clear();
  const t0 = now();
  step = { sent: 0, acked: 0, ack_errors: {}, latency: [], ack: [], lastAt: t0 };
  const figures = step;
  const total = Math.round(rate * seconds);
  let k = 0;
  while (k < total) {
    const due = Math.min(total, Math.floor(((now() - t0) / 1000) * rate) + 1);
    for (; k < due; k += 1) {
      // Chat k mod C; its direction alternates each time round, so each way gets half.
      send(chats[k % chats.length], Math.floor(k / chats.length) % 2 === 0);
    }
    await sleep(1);
  }
  const sendSeconds = (now() - t0) / 1000;
  const drainUntil = now() + drain_s * 1000;
  while (pending.size && now() < drainUntil) await sleep(20);
  const delivered = figures.latency.length;
  const result = {
    event: "step", rate, seconds, sent: figures.sent, send_seconds: sendSeconds,
    offered_per_s: Math.round(figures.sent / sendSeconds), acked: figures.acked,
    ack_errors: figures.ack_errors, delivered, missing: figures.sent - delivered,
    // Over the time to the last delivery: a backlog drained after the sending ends counts.
    delivered_per_s: Math.round(delivered / Math.max((figures.lastAt - t0) / 1000, sendSeconds)),
    elapsed_s: (now() - t0) / 1000, latency_ms: stats(figures.latency), ack_ms: stats(figures.ack),
  };
  step = null;
  pending.clear();
  return result;
}

// --- pairing under arrivals ------------------------------------------------------------------

async function arrivals({ url, rate, seconds }) {
  const total = Math.round(rate * seconds);
  const t0 = now();
  const runs = [];
  for (let i = 0; i < total; i += 1) {
    const wait = t0 + (i * 1000) / rate - now();
    if (wait > 0) await sleep(wait);
    runs.push(oneChat(url));
  }
  const results = await Promise.all(runs);
  const errors = {};
  for (const r of results) if (!r.ok) count(errors, r.error);
  const ok = results.filter((r) => r.ok);
  return {
    event: "arrivals", rate, seconds, offered: total, started: ok.length,
    refused_or_failed: total - ok.length, errors,
    pairing_ms: stats(ok.map((r) => r.pairing_ms)),
    request_ms: stats(results.filter((r) => r.request_ms !== undefined).map((r) => r.request_ms)),
    take_ms: stats(results.filter((r) => r.take_ms !== undefined).map((r) => r.take_ms)),
  };
}

async function close() {
  for (const sock of [...state.idle, ...state.visitors, ...state.counselors.map((c) => c.sock)]) {
    (sock.disconnect ? sock.disconnect() : sock.close());
  }
  Object.assign(state, { idle: [], counselors: [], chats: [], visitors: [] });
  return { event: "closed" };
}

const commands = { connect, disconnect, counselors, pair, step: runStep, arrivals, close };

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  const command = JSON.parse(line);
  let answer;
  try {
    answer = await commands[command.cmd](command);
  } catch (error) {
    log(command.cmd, error.stack || error);
    answer = { event: "error", cmd: command.cmd, error: String(error.message || error) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
  if (command.cmd === "close") break;
}
await close();
process.exit(0);
