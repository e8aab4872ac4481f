"""The proof-of-work gate in front of the queue (and of anything else that creates work for a
counselor, e.g. `ask`): free at normal load, a solved single-use challenge when joins per minute
are abnormal, and at most so many admissions (and urgent ones) per minute through it."""

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
        current, previous = await self.store.proof.count_join(window)
        work = proof.difficulty(proof.join_rate(current, previous, now_ms), rules)
        if work == 0:
            return urgent
        key = proof.proof_key(settings.secret_key)
        verified = proof.verify(key, submitted, now_ms // 1000) if submitted else None
        if verified is None or not await self.store.proof.use(
                verified.digest, verified.expires_s - now_ms // 1000 + 1):
            raise self._refusal(key, work, rules, now_ms, retry_after_ms=0)
        if not await self.store.proof.admit("join", window, rules.admissions_per_minute):
            log.info("join refused: admissions per minute reached")
            raise self._refusal(key, work, rules, now_ms,
                                retry_after_ms=proof.ms_to_next_window(now_ms))
        if urgent and not await self.store.proof.admit("urgent", window,
                                                       rules.urgent_per_minute):
            return False  # joins as a normal entry: a flood cannot fill the front
        return urgent

    def _refusal(self, key: bytes, work: int, rules: proof.ProofPolicy, now_ms: int, *,
                 retry_after_ms: int) -> HelpchatError:
        challenge = proof.issue(key, work, rules, now_ms // 1000)
        return HelpchatError("rate_limited", "error.proof_needed",
                             fields={"retry_after_ms": retry_after_ms, "challenge": challenge})
