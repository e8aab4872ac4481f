// Proof of work for joining the queue under a flood (see docs/protocol.md): the server sends an
// ALTCHA challenge with `rate_limited`; it is solved here, invisibly, by ALTCHA's own PBKDF2
// worker (from the altcha npm package, served by this server as altcha-pbkdf2.js), split over
// a few workers so a phone's cores share the work. No third party is involved. Every event
// behind the gate (request_chat, ask, pickup) goes through emitWithProof.
import { state } from "./state.js";
import { emitWithAck } from "./transport.js";

const MAX_WORKERS = 4;
const MAX_PROOF_ROUNDS = 5;
const TIMEOUT_MS = 60000;

// A Promise of the `proof` to send ({challenge, solution}), or null when it cannot be solved
// here (no Worker support, a worker error, the timeout).
export function solveChallenge(challenge) {
  if (typeof Worker !== "function" || !challenge || !challenge.parameters) return Promise.resolve(null);
  const count = Math.max(1, Math.min(MAX_WORKERS, navigator.hardwareConcurrency || 1));
  return new Promise((resolve) => {
    const workers = [];
    let pending = count;
    let done = false;
    const finish = (result) => {
      if (done) return;
      done = true;
      window.clearTimeout(timer);
      workers.forEach((worker) => worker.terminate());
      resolve(result);
    };
    const timer = window.setTimeout(() => finish(null), TIMEOUT_MS);
    for (let i = 0; i < count; i++) {
      let worker;
      try {
        worker = new Worker("altcha-pbkdf2.js");
      } catch (e) {
        finish(null);
        return;
      }
      workers.push(worker);
      worker.onmessage = (message) => {
        const solution = message.data;
        if (solution && typeof solution.counter === "number" && solution.derivedKey) {
          finish({ challenge, solution: { counter: solution.counter, derivedKey: solution.derivedKey } });
        } else if (--pending === 0) {
          finish(null);  // every worker searched its share without a match, or failed
        }
      };
      worker.onerror = () => { if (--pending === 0) finish(null); };
      worker.postMessage({
        type: "work", challenge, counterMode: "uint32", counterStart: i, counterStep: count,
        timeout: TIMEOUT_MS
      });
    }
  });
}

// Send `event`; while the server answers `rate_limited` with a challenge, wait what it asks
// (onWait(ms) may say so), solve the challenge and send again with the proof, a few rounds at
// most. done(ack, busy): busy means the last answer was still rate_limited (a wait past the
// minute's admissions, or a challenge this browser could not solve).
export function emitWithProof(event, payload, { done, onWait }) {
  const attempt = (sent, round) => {
    emitWithAck(event, sent, (ack) => {
      const error = (!ack.ok && ack.error) || {};
      if (error.code !== "rate_limited" || !error.challenge || round >= MAX_PROOF_ROUNDS) {
        done(ack, error.code === "rate_limited");
        return;
      }
      const wait = Math.max(0, Number(error.retry_after_ms) || 0);
      if (wait > 0 && onWait) onWait(wait);
      window.setTimeout(() => {
        solveChallenge(error.challenge).then((proof) => {
          if (state.exiting) return;
          if (!proof) done(ack, true);
          else attempt({ ...payload, proof }, round + 1);
        });
      }, wait);
    });
  };
  attempt(payload, 0);
}
