"""The password rule, the same for `run.py create-user`, the invite, reset and setup pages and
their as-you-type feedback (ASVS 6.2): at least MIN_LENGTH characters, not one of the 20,000
most common passwords (nor one of them with digits or symbols stuck on, such as `welkom01!!`),
and a zxcvbn score of at least MIN_SCORE, with Dutch words and the account's own names known
to the estimator. Pure: no I/O beyond reading the shipped lists once.

The lists in helpchat/data/ come from the npm packages @zxcvbn-ts/language-common and
@zxcvbn-ts/language-nl-be (see scripts/build_password_lists.py for how, and which versions).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from zxcvbn import zxcvbn
from zxcvbn.matching import add_frequency_lists

MIN_LENGTH = 10
MAX_LENGTH = 1024  # argon2 hashes any length, but nobody needs to send us megabytes
# zxcvbn's matching grows quickly with length and the library refuses more than 72
# characters; the first 72 characters of a long password decide its score.
ZXCVBN_MAX = 72
# 3 of 4: "safely unguessable: moderate protection from offline slow-hash scenario" (10^8
# guesses and more), which is what argon2 hashes face if the database ever leaks.
MIN_SCORE = 3
DATA = Path(__file__).parent / "data"
# Digits and symbols people add at either end to pass composition rules.
PADDING = re.compile(r"^[\W\d_]+|[\W\d_]+$")


@dataclass(frozen=True)
class Verdict:
    problem: str | None  # None (acceptable), "too_short", "too_long", "too_common", "too_weak"
    score: int  # zxcvbn's 0-4 (0 when refused before it ran)

    @property
    def ok(self) -> bool:
        return self.problem is None


def _read(name: str) -> list[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list, registered with zxcvbn once (with the Dutch words) on first use."""
    ranked = _read("common_passwords.txt")
    add_frequency_lists({"helpchat_common_passwords": ranked,
                         "helpchat_dutch_words": _read("dutch_words.txt")})
    return frozenset(ranked)


def check(password: str, user_inputs: Iterable[str] = ()) -> Verdict:
    """The verdict on a new password; `user_inputs` are the account's login and display
    names, which make a password containing them weak."""
    if len(password) < MIN_LENGTH:
        return Verdict("too_short", 0)
    if len(password) > MAX_LENGTH:
        return Verdict("too_long", 0)
    common = common_passwords()
    lowered = password.lower()
    if lowered in common or PADDING.sub("", lowered) in common or len(set(password)) < 3:
        return Verdict("too_common", 0)
    inputs = [word.lower() for word in user_inputs if word]
    score = int(zxcvbn(password[:ZXCVBN_MAX], user_inputs=inputs)["score"])
    return Verdict(None if score >= MIN_SCORE else "too_weak", score)


# The one English wording per problem, for the command line (pages use the locale catalogs).
CLI_MESSAGES = {
    "too_short": f"password must be at least {MIN_LENGTH} characters",
    "too_long": f"password must be at most {MAX_LENGTH} characters",
    "too_common": "password is too common (on the list of the most used ones); choose another",
    "too_weak": "password is too easy to guess; a sentence of a few unusual words works well",
}
