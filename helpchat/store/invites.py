"""One-time links: a counselor's invite or password reset, and the first-admin setup link.

Only sha256 of a link's token is stored, the link is valid for INVITE_TTL (48 h), using it
deletes it, and making a new link for the same owner kills the previous one.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from helpchat.store import keys
from helpchat.store.connection import Redis

SETUP_OWNER = "setup"
PURPOSES = ("invite", "reset", "setup")


@dataclass(frozen=True)
class Invite:
    counselor_id: str  # "" for the setup link
    purpose: str  # invite | reset | setup


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invites:
    def __init__(self, client: Redis) -> None:
        self._redis = client

    async def create(self, counselor_id: str, purpose: str) -> str:
        """The token of a fresh link (shown to the admin once); the owner's older link dies."""
        if purpose not in PURPOSES:
            raise ValueError(f"purpose: {purpose!r}")
        owner = counselor_id or SETUP_OWNER
        token = secrets.token_urlsafe(32)
        new = digest(token)
        old = await self._redis.get(keys.invite_index(owner))
        async with self._redis.pipeline(transaction=True) as pipe:
            if old:
                pipe.delete(keys.invite(old))
            pipe.hset(keys.invite(new), mapping={"counselor": counselor_id, "purpose": purpose})
            pipe.expire(keys.invite(new), keys.INVITE_TTL)
            pipe.set(keys.invite_index(owner), new, ex=keys.INVITE_TTL)
            await pipe.execute()
        return token

    async def peek(self, token: str) -> Invite | None:
        data = await self._redis.hgetall(keys.invite(digest(token)))
        return Invite(data["counselor"], data["purpose"]) if data.get("purpose") else None

    async def consume(self, token: str) -> Invite | None:
        """The link's invite, deleted in the same step: of two tabs submitting, one wins."""
        key = keys.invite(digest(token))
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hgetall(key)
            pipe.delete(key)
            data, _ = await pipe.execute()
        if not data.get("purpose"):
            return None
        owner = data["counselor"] or SETUP_OWNER
        # Only if it still points at this link: a newer link for the owner stays valid.
        if await self._redis.get(keys.invite_index(owner)) == digest(token):
            await self._redis.delete(keys.invite_index(owner))
        return Invite(data["counselor"], data["purpose"])

    async def revoke(self, counselor_id: str) -> None:
        owner = counselor_id or SETUP_OWNER
        old = await self._redis.get(keys.invite_index(owner))
        if old:
            await self._redis.delete(keys.invite(old), keys.invite_index(owner))
