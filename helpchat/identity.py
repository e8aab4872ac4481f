"""Visitor tokens, their HMACs and the pseudonyms counselors see. Pure functions, no I/O."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# No 0/O, 1/I/L, U: a pseudonym read aloud over a phone should not be misheard.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
PSEUDONYM_PREFIX = {"nl": "Bezoeker", "en": "Visitor"}


def new_token() -> str:
    """256 random bits; given to the visitor once and never stored."""
    return secrets.token_urlsafe(32)


def new_id() -> str:
    return secrets.token_hex(16)


def visitor_id(secret_key: str, token: str) -> str:
    """HMAC-SHA256(secret, token): what Redis keeps instead of the token."""
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


def pseudonym_code(vid: str) -> str:
    number = int(vid[:16], 16)
    chars = []
    for _ in range(4):
        number, index = divmod(number, len(_ALPHABET))
        chars.append(_ALPHABET[index])
    return "".join(chars)


def pseudonym(code: str, lang: str) -> str:
    return f"{PSEUDONYM_PREFIX.get(lang, PSEUDONYM_PREFIX['nl'])} {code}"
