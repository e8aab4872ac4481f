"""The proof-of-work gate in front of the queue (and of anything else that creates work for a
counselor, e.g. `ask`): free at normal load, a solved single-use challenge when joins per minute
are abnormal, at most so many admissions per minute through it, and at most so many urgent
places per minute at any load."""

from __future__ import annotations

import logging
from typing import Any

from helpchat import proof
from helpchat.config import Settings
from helpchat.errors import HelpchatError
from helpchat.realtime.hub.context import HubContext

log = logging.getLogger("helpchat.realtime.hub")


def policy(settings: Settings) -> proof.ProofPolicy:
    s = settings
    return proof.ProofPolicy(
        joins_per_minute=s.proof_joins_per_minute, min_number=s.proof_min_number,
        max_number=s.proof_max_number, cost=s.proof_cost,
        challenge_seconds=s.proof_challenge_seconds,
        admissions_per_minute=s.proof_admissions_per_minute,
        urgent_per_minute=s.proof_urgent_per_minute,
    )


class ProofGate:
    def __init__(self, ctx: HubContext) -> None:
        self.ctx = ctx
        self.store = ctx.store

    async def admit(self, submitted: Any, *, urgent: bool) -> bool:
        """Count one join attempt and let it through, or raise `rate_limited` with a fresh
        challenge. Returns whether the join keeps urgent priority."""
        now_ms = self.ctx.now_ms()
        settings = self.ctx.settings
        rules = policy(settings)
        window = proof.window(now_ms)
        minute, burst = await self.store.proof.count_join(
            window, proof.window(now_ms, proof.BURST_MS))
        work = proof.difficulty(proof.join_rate(minute, burst, now_ms), rules)
        if work == 0:
            return urgent and await self._urgent_place(window, rules)
        key = proof.proof_key(settings.secret_key)
        verified = proof.verify(key, submitted, now_ms // 1000) if submitted else None
        if verified is None or not await self.store.proof.use(
                verified.digest, verified.expires_s - now_ms // 1000 + 1):
            raise self._refusal(key, work, rules, now_ms, retry_after_ms=0)
        if not await self.store.proof.admit("join", window, rules.admissions_per_minute):
            log.info("join refused: admissions per minute reached")
            raise self._refusal(key, work, rules, now_ms,
                                retry_after_ms=proof.ms_to_next_window(now_ms))
        return urgent and await self._urgent_place(window, rules)

    async def _urgent_place(self, window: int, rules: proof.ProofPolicy) -> bool:
        """Whether an urgent join is placed before normal ones: at most so many a minute, at
        any load (more is abnormal), so a flood cannot fill the front of the queue."""
        return await self.store.proof.admit("urgent", window, rules.urgent_per_minute)

    def _refusal(self, key: bytes, work: int, rules: proof.ProofPolicy, now_ms: int, *,
                 retry_after_ms: int) -> HelpchatError:
        challenge = proof.issue(key, work, rules, now_ms // 1000)
        return HelpchatError("rate_limited", "error.proof_needed",
                             fields={"retry_after_ms": retry_after_ms, "challenge": challenge})
