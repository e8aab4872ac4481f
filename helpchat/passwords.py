"""Password hashing (argon2id) off the event loop, and the per-process ceiling on that work.
The rule for new passwords is helpchat.password_policy."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from helpchat import password_policy
from helpchat.errors import HelpchatError

T = TypeVar("T")

_hasher = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) defaults
# Verified against whenever the account has no real hash (unknown name, an invited account
# without a password yet), so every kind of failure costs the same one verification.
_DUMMY_PASSWORD = "not a real password, only for equal timing"  # noqa: S105
_DUMMY_HASH = _hasher.hash(_DUMMY_PASSWORD)
ARGON2_PREFIX = "$argon2"
# Per process: argon2 verifications (about 100 ms of CPU each) and zxcvbn estimates running at
# once, and how many may wait for a slot before the answer is "busy, retry in a second". A
# credential-stuffing run then costs at most this much CPU and cannot starve the event loop.
MAX_CONCURRENT = 2
MAX_WAITING = 16
BUSY_RETRY_MS = 1000


def hash_password_sync(password: str) -> str:
    return _hasher.hash(password)


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


def _verify(password_hash: str | None, password: str) -> bool:
    real = password_hash if password_hash and password_hash.startswith(ARGON2_PREFIX) else None
    try:
        # Not an argon2 hash ("" or "!pending") never matches, but still costs one verification.
        return _hasher.verify(real or _DUMMY_HASH, password) and real is not None
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Always runs one argon2 verification, whatever the account's state (None: unknown)."""
    return await asyncio.to_thread(_verify, password_hash, password)


class PasswordWork:
    """The server's one door to CPU-heavy password work: at most MAX_CONCURRENT at once."""

    def __init__(self, concurrent: int = MAX_CONCURRENT, waiting: int = MAX_WAITING) -> None:
        self._slots = asyncio.Semaphore(concurrent)
        self._max_waiting = waiting
        self._waiting = 0

    async def _run(self, work: Callable[..., T], *args: object) -> T:
        if self._waiting >= self._max_waiting:
            raise HelpchatError("rate_limited", "error.busy",
                                extra={"retry_after_ms": BUSY_RETRY_MS})
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        try:
            return await asyncio.to_thread(work, *args)
        finally:
            self._slots.release()

    async def verify(self, password_hash: str | None, password: str) -> bool:
        return await self._run(_verify, password_hash, password)

    async def hash(self, password: str) -> str:
        return await self._run(_hasher.hash, password)

    async def strength(self, password: str, names: list[str]) -> password_policy.Verdict:
        return await self._run(password_policy.check, password, names)
