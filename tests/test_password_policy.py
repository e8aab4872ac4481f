"""The one password rule (helpchat/password_policy.py): length, the shipped list of common
passwords (with the Dutch ones), and zxcvbn's estimate with the account's names."""

from __future__ import annotations

import pytest

from helpchat import password_policy
from helpchat.password_policy import check, common_passwords


@pytest.mark.parametrize("password", [
    # The examples of issue 10: all were accepted by the old 30-entry list.
    "Summer2024!", "qwerty123456", "welkom01!!", "Wachtwoord1!", "voetbal123",
    # Common bases with capitals, digits and symbols stuck on.
    "Welkom2025!", "Voetbal!!123", "Geheim12345", "P@ssw0rd2024", "iloveyou123",
    "1234567890", "aaaaaaaaaaaa",
])
def test_common_and_guessable_passwords_are_refused(password: str) -> None:
    verdict = check(password)
    assert not verdict.ok
    assert verdict.problem in ("too_common", "too_weak")


@pytest.mark.parametrize("password", [
    "correct horse battery", "mijn fiets staat onder de brug", "x9$Lq2!mB7vRt",
])
def test_long_unusual_passwords_are_accepted(password: str) -> None:
    verdict = check(password)
    assert verdict.ok and verdict.score >= password_policy.MIN_SCORE


def test_a_password_made_of_the_account_name_is_too_weak() -> None:
    assert check("marieke.jansen", user_inputs=["marieke.jansen"]).problem == "too_weak"
    assert check("Marieke.Jansen1", user_inputs=["marieke.jansen"]).problem == "too_weak"


def test_length_limits_come_first() -> None:
    assert check("short").problem == "too_short"
    assert check("x" * (password_policy.MAX_LENGTH + 1)).problem == "too_long"
    # Past what zxcvbn reads, the first 72 characters decide.
    assert check("lamp-tulip-orbit-ferry-" * 4 + "!" * 2).ok


def test_the_shipped_list_has_the_20000_most_common_passwords_dutch_ones_included() -> None:
    common = common_passwords()
    assert len(common) >= 10_000
    assert {"welkom", "wachtwoord", "voetbal", "geheim", "qwerty123456"} <= common
    header = (password_policy.DATA / "common_passwords.txt").read_text().splitlines()[0]
    assert "@zxcvbn-ts/language-common" in header
