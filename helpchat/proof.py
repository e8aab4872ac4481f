"""Proof of work for joining the queue under abnormal demand: pure logic, no I/O.

helpchat cannot tell a young person from a script, and must not try (no IPs, no accounts). So
joining costs nothing at normal load; when joins per minute pass a threshold, each join needs
a solved ALTCHA challenge (v2, PBKDF2/SHA-256), self-issued and signed with a key derived from
the server secret. The work rises with the join rate up to a ceiling sized for a low-end phone
(p95 solve <= 2 s), and a challenge is good for one join only (store/proof.py remembers used
ones). Proof of work slows a script down; it does not stop one, which is why admissions through
the proof are also capped per minute (see realtime/hub/proof.py).

Challenges are deterministic ("counter" mode): the server picks the secret counter uniformly in
1..max_number, so a solver needs at most max_number tries and the p95 is 0.95 * max_number;
the random-prefix mode has a geometric tail that would make the p95 three times the mean.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from typing import Any

import altcha

ALGORITHM = "PBKDF2/SHA-256"
WINDOW_MS = 60_000
# A flood starting cold must not get a minute's worth of free joins in its first second: the
# rate is also read over ten seconds (times six), so a burst raises the work within a few joins.
BURST_MS = 10_000
MAX_PROOF_CHARS = 4096  # a solved challenge is about 500 characters; anything far larger is junk


@dataclass(frozen=True)
class ProofPolicy:
    """The proof_* settings (see config/default.toml)."""

    joins_per_minute: int  # above this rate a join needs a proof
    min_number: int  # tries at most, at the first level
    max_number: int  # tries at most, at the highest level
    cost: int  # PBKDF2 iterations per try
    challenge_seconds: int  # a challenge expires after this
    admissions_per_minute: int  # joins admitted through the proof per minute, all together
    urgent_per_minute: int  # of those, how many keep urgent priority


@dataclass(frozen=True)
class Verified:
    """A correct solution of one of our challenges: its digest marks it used until it expires."""

    digest: str
    expires_s: int


def proof_key(secret_key: str) -> bytes:
    """The challenge-signing key, separate from every other use of the server secret."""
    return hmac.new(secret_key.encode(), b"helpchat proof of work v1", hashlib.sha256).digest()


def sliding(current: int, previous: int, now_ms: int, window_ms: int = WINDOW_MS) -> float:
    """Joins in the last window_ms, estimated from two fixed windows (the previous one weighted
    by how much of it still lies within the last window_ms)."""
    elapsed = (now_ms % window_ms) / window_ms
    return current + previous * (1.0 - elapsed)


def join_rate(minute: tuple[int, int], burst: tuple[int, int], now_ms: int) -> float:
    """Joins per minute: the last minute's, or the last ten seconds' scaled up if higher (the
    join being counted does not make a burst on its own: the first of a minute stays free
    even at a threshold of 1)."""
    recent = max(0.0, sliding(*burst, now_ms, BURST_MS) - 1)
    return max(sliding(*minute, now_ms), recent * (WINDOW_MS / BURST_MS))


def window(now_ms: int, window_ms: int = WINDOW_MS) -> int:
    return now_ms // window_ms


def ms_to_next_window(now_ms: int) -> int:
    return WINDOW_MS - now_ms % WINDOW_MS


def difficulty(rate: float, policy: ProofPolicy) -> int:
    """0 (no proof) at normal load; past the threshold min_number tries, doubling with every
    doubling of the rate, never above max_number."""
    if rate <= policy.joins_per_minute:
        return 0
    level = int(math.log2(rate / policy.joins_per_minute))
    return min(policy.max_number, policy.min_number << min(level, 32))


def issue(key: bytes, max_number: int, policy: ProofPolicy, now_s: int) -> dict[str, Any]:
    """A signed challenge (ALTCHA v2 JSON: {"parameters": {...}, "signature": str})."""
    challenge = altcha.create_challenge(
        ALGORITHM, policy.cost,
        counter=1 + secrets.randbelow(max_number),
        expires_at=now_s + policy.challenge_seconds,
        hmac_secret=key,
    )
    return dict(challenge.to_dict())


def verify(key: bytes, proof: Any, now_s: int) -> Verified | None:
    """The challenge's digest when `proof` ({"challenge", "solution"} as the ALTCHA worker
    returns them, or ALTCHA's base64 payload) solves one of our unexpired challenges."""
    try:
        if isinstance(proof, str):
            if len(proof) > MAX_PROOF_CHARS:
                return None
            payload = altcha.Payload.from_base64(proof)
        elif isinstance(proof, dict):
            payload = altcha.Payload.from_dict(proof)
        else:
            return None
        expires = payload.challenge.parameters.expires_at
        if not isinstance(expires, int) or expires < now_s:
            return None
        result = altcha.verify_solution(payload, key)
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError, RecursionError):
        return None  # malformed: the client gets a fresh challenge, never a crash
    if not result.verified or not isinstance(payload.challenge.signature, str):
        return None
    return Verified(hashlib.sha256(payload.challenge.signature.encode()).hexdigest(), expires)


def solve(challenge: dict[str, Any]) -> dict[str, Any] | None:
    """Solve a challenge as a client would (tests, benchmarks): the `proof` to send."""
    parsed = altcha.Challenge.from_dict(challenge)
    solution = altcha.solve_challenge(parsed)
    if solution is None:
        return None
    return {"challenge": challenge, "solution": solution.to_dict()}
