"""Pickup codes for asynchronous questions: six words a young person can write down.

Pure functions, no I/O. A code is six words drawn from a 2,048-word list (66 bits): Dutch words
for Dutch visitors, English for English ones (see scripts/make_wordlists.py for where the
lists come from). The server never keeps a code: Redis holds HMAC(secret, code) as the key of a
small index (so a lookup is one GET, never a scan over all threads) and an argon2id hash of the
code in the thread, which the index hit must still verify.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
import unicodedata
from functools import cache
from pathlib import Path

WORDS = 6
LIST_SIZE = 2048
WORDLIST_DIR = Path(__file__).parent / "wordlists"
LANGUAGES = ("nl", "en")
# Longest input worth normalising: six words of at most 8 letters and some separators.
MAX_INPUT = 200
_SPLIT = re.compile(r"[^a-z]+")


@cache
def wordlist(lang: str) -> tuple[str, ...]:
    words = tuple((WORDLIST_DIR / f"{lang}.txt").read_text(encoding="utf-8").split())
    if len(words) != LIST_SIZE or len(set(words)) != LIST_SIZE:
        raise RuntimeError(f"wordlist {lang} must hold {LIST_SIZE} distinct words")
    return words


@cache
def _known() -> frozenset[str]:
    return frozenset(word for lang in LANGUAGES for word in wordlist(lang))


def entropy_bits() -> float:
    return WORDS * math.log2(LIST_SIZE)


def new_code(lang: str) -> str:
    words = wordlist(lang if lang in LANGUAGES else LANGUAGES[0])
    return " ".join(secrets.choice(words) for _ in range(WORDS))


def normalize(text: object) -> str | None:
    """The canonical form ("w1 w2 w3 w4 w5 w6") of what a visitor typed, or None when it
    cannot be a code. Case, accents, hyphens, dots and extra spaces do not matter."""
    if not isinstance(text, str) or len(text) > MAX_INPUT:
        return None
    plain = text.lower()
    if not plain.isascii():
        plain = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode()
    words = _SPLIT.split(plain)
    if not words[0]:
        words.pop(0)
    if words and not words[-1]:
        words.pop()
    known = _known()
    if len(words) != WORDS or not all(word in known for word in words):
        return None
    return " ".join(words)


@cache
def _keyed(secret_key: str) -> hmac.HMAC:
    return hmac.new(secret_key.encode(), b"pickup-code:", hashlib.sha256)


def lookup_digest(secret_key: str, normalized: str) -> str:
    """The index key of a code: HMAC-SHA256 under the server's secret, domain-separated from
    the visitor-token HMACs so one can never stand in for the other."""
    mac = _keyed(secret_key).copy()  # the keyed state, computed once per secret
    mac.update(normalized.encode())
    return mac.hexdigest()
