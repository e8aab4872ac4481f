"""Two-factor login state (helpchat/two_factor.py has the rules): the sealed TOTP secret, the
secret being enrolled, the last accepted time step, recovery-code HMACs, and the login that
has passed its password and waits for a code. Nothing here is ever logged."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from helpchat.store import keys
from helpchat.store.connection import Redis, Scripts


@dataclass(frozen=True)
class PendingLogin:
    counselor_id: str
    scope: str  # the login back-off's scope (name, perhaps with a device nonce)
    next_path: str
    tries: int


class TwoFactor:
    def __init__(self, client: Redis, scripts: Scripts) -> None:
        self._redis = client
        self._scripts = scripts

    # the account's factor ---------------------------------------------------------------------
    async def sealed_secret(self, counselor_id: str) -> str | None:
        return await self._redis.get(keys.totp(counselor_id))

    async def enrolled(self, counselor_ids: list[str]) -> set[str]:
        """Those of `counselor_ids` that have two-factor on, in one round trip."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for counselor_id in counselor_ids:
                pipe.exists(keys.totp(counselor_id))
            found = await pipe.execute()
        return {c for c, hit in zip(counselor_ids, found, strict=True) if hit}

    async def enrol(self, counselor_id: str, sealed: str, recovery_digests: list[str]) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(keys.totp(counselor_id), sealed)
            pipe.delete(keys.totp_candidate(counselor_id), keys.recovery_codes(counselor_id))
            pipe.sadd(keys.recovery_codes(counselor_id), *recovery_digests)
            await pipe.execute()

    async def remove(self, counselor_id: str) -> bool:
        """Two-factor off (an admin's reset, or the person's own choice); False if it was off."""
        removed = await self._redis.delete(
            keys.totp(counselor_id), keys.totp_candidate(counselor_id),
            keys.recovery_codes(counselor_id), keys.totp_step(counselor_id))
        return bool(removed)

    async def set_candidate(self, counselor_id: str, sealed: str) -> None:
        """A secret shown on the enrolment page; a new page view replaces it."""
        await self._redis.set(keys.totp_candidate(counselor_id), sealed,
                              ex=keys.TOTP_ENROL_TTL)

    async def candidate(self, counselor_id: str) -> str | None:
        return await self._redis.get(keys.totp_candidate(counselor_id))

    async def use_step(self, counselor_id: str, step: int) -> bool:
        """True if `step` is later than any accepted before (see lua/totp_step.lua)."""
        return bool(await self._scripts.totp_step(keys=[keys.totp_step(counselor_id)],
                                                  args=[step, keys.TOTP_STEP_TTL]))

    async def use_recovery_code(self, counselor_id: str, digest: str) -> bool:
        """True once per code: removing it is the check, so two tabs cannot both use it."""
        return bool(await self._redis.srem(keys.recovery_codes(counselor_id), digest))

    async def recovery_codes_left(self, counselor_id: str) -> int:
        return int(await self._redis.scard(keys.recovery_codes(counselor_id)))

    # the login between password and code ------------------------------------------------------
    async def start_pending(self, counselor_id: str, scope: str, next_path: str) -> str:
        """The token for the pending-login cookie."""
        token = secrets.token_urlsafe(32)
        key = keys.pending_login(token)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"counselor": counselor_id, "scope": scope,
                                    "next": next_path, "tries": 0})
            pipe.expire(key, keys.TOTP_PENDING_TTL)
            await pipe.execute()
        return token

    async def pending(self, token: str) -> PendingLogin | None:
        data = await self._redis.hgetall(keys.pending_login(token))
        if not data.get("counselor"):
            return None
        return PendingLogin(data["counselor"], data.get("scope", ""), data.get("next", "/"),
                            int(data.get("tries") or 0))

    async def pending_failed(self, token: str) -> int:
        """One more wrong code on this pending login; the number so far."""
        key = keys.pending_login(token)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(key, "tries", 1)
            pipe.ttl(key)
            tries, ttl = await pipe.execute()
        if ttl < 0:  # it expired just now: HINCRBY made a stray key without a TTL
            await self._redis.delete(key)
        return int(tries)

    async def end_pending(self, token: str) -> None:
        await self._redis.delete(keys.pending_login(token))
