"""Pickup codes: six words from a 2,048-word list, typed back however the visitor likes."""

from __future__ import annotations

from helpchat import pickup_codes


def test_both_lists_hold_2048_distinct_plain_lowercase_words() -> None:
    for lang in pickup_codes.LANGUAGES:
        words = pickup_codes.wordlist(lang)
        assert len(set(words)) == 2048
        assert all(w.isascii() and w.isalpha() and w.islower() for w in words)


def test_a_code_is_six_words_of_the_visitors_language_and_at_least_64_bits() -> None:
    assert pickup_codes.entropy_bits() >= 64
    for lang in ("nl", "en"):
        code = pickup_codes.new_code(lang)
        words = code.split(" ")
        assert len(words) == 6
        assert set(words) <= set(pickup_codes.wordlist(lang))


def test_codes_do_not_repeat() -> None:
    assert len({pickup_codes.new_code("nl") for _ in range(2000)}) == 2000


def test_case_accents_hyphens_and_spaces_do_not_matter() -> None:
    code = pickup_codes.new_code("nl")
    typed = "  " + "-".join(w.upper() for w in code.split()) + ".\n"
    assert pickup_codes.normalize(typed) == code
    assert pickup_codes.normalize(code.replace("e", "é", 1)) == code


def test_what_cannot_be_a_code_normalizes_to_none() -> None:
    code = pickup_codes.new_code("en")
    for wrong in (code.rsplit(" ", 1)[0], code + " abandon", "xyzzy " * 6, "", "a" * 500,
                  None, 42, ["abandon"] * 6):
        assert pickup_codes.normalize(wrong) is None


def test_the_lookup_digest_depends_on_the_secret_and_differs_from_the_code() -> None:
    code = pickup_codes.new_code("nl")
    one = pickup_codes.lookup_digest("secret one", code)
    assert one == pickup_codes.lookup_digest("secret one", code)
    assert one != pickup_codes.lookup_digest("secret two", code)
    assert len(one) == 64 and code.split()[0] not in one
