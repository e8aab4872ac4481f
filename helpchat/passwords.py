"""Password hashing (argon2id) off the event loop, and the password policy."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
# The most common passwords that pass the length rule; refused outright.
COMMON_PASSWORDS = frozenset({
    "1234567890", "12345678910", "0123456789", "1q2w3e4r5t", "qwertyuiop", "password1",
    "password12", "password123", "wachtwoord", "wachtwoord1", "wachtwoord123", "welkom1234",
    "welkom123", "iloveyou12", "qwerty1234", "qwerty12345", "abcdefghij", "aaaaaaaaaa",
    "helpchat123", "helpchat12", "1111111111", "0000000000", "changeme12", "letmein123",
    "administrator", "admin12345", "passw0rd12", "football12", "princess12", "sunshine12",
})

_hasher = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) defaults
# Verified against when the username is unknown, so both failures take the same time.
_DUMMY_PASSWORD = "not a real password, only for equal timing"  # noqa: S105
_DUMMY_HASH = _hasher.hash(_DUMMY_PASSWORD)


def policy_error(password: str) -> str | None:
    """Why a password is refused (English, for the CLI and logs of admins), or None."""
    if len(password) < MIN_LENGTH:
        return f"password must be at least {MIN_LENGTH} characters"
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 3:
        return "password is too common; choose a longer, less guessable one"
    return None


def hash_password_sync(password: str) -> str:
    return _hasher.hash(password)


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        # An empty or missing hash never matches, but still costs one verification.
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Always runs one argon2 verification, even for an unknown user (None)."""
    return await asyncio.to_thread(_verify, password_hash, password)
