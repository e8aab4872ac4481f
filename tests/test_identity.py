"""Tokens, their HMACs and pseudonyms."""

from __future__ import annotations

from helpchat import identity


def test_tokens_are_256_bit_and_unique() -> None:
    tokens = {identity.new_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(len(t) == 43 for t in tokens)  # 32 bytes, url-safe base64


def test_visitor_id_is_a_keyed_hash_not_the_token() -> None:
    token = identity.new_token()
    vid = identity.visitor_id("secret-a", token)
    assert len(vid) == 64 and token not in vid
    assert vid == identity.visitor_id("secret-a", token)
    assert vid != identity.visitor_id("secret-b", token)


def test_pseudonym_is_stable_readable_and_localized() -> None:
    vid = identity.visitor_id("s", "t")
    code = identity.pseudonym_code(vid)
    assert len(code) == 4 and not set(code) & set("01ILOU")
    assert identity.pseudonym(code, "nl") == f"Bezoeker {code}"
    assert identity.pseudonym(code, "en") == f"Visitor {code}"
