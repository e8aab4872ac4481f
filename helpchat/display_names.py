"""Display names: what visitors (and colleagues) see instead of the login name (issue 10).

A login name is half of a credential: a visitor who learns it can aim guesses at it. So a
visitor only ever sees the display name, or a neutral word when none is set yet. Pure.
"""

from __future__ import annotations

import re

from helpchat.i18n import translate
from helpchat.store.models import Counselor

MAX_CHARS = 40
# A first name, perhaps with a role: "Anna", "Sanne (vrijwilliger)", "Jan-Willem", "Zoë".
PATTERN = re.compile(r"[^\W\d_][\w .'()-]*")


def clean(value: str) -> str:
    return " ".join(value.split())


def problem(value: str, login_name: str) -> str | None:
    """A catalog key suffix saying why `value` cannot be the display name, or None."""
    value = clean(value)
    if not value:
        return "empty"
    if len(value) > MAX_CHARS or not PATTERN.fullmatch(value):
        return "invalid"
    if value.lower() == login_name.lower():
        return "login_name"  # it would tell visitors the login name after all
    return None


def suggestion(login_name: str) -> str:
    """A starting point for the admin: the first part of the login name, capitalized, unless
    that is the whole login name (then nothing: it must not be shown to visitors)."""
    first = re.split(r"[._-]", login_name)[0]
    first = first[:1].upper() + first[1:]
    return "" if problem(first, login_name) else first


def for_visitors(counselor: Counselor, lang: str) -> str:
    """The name a visitor sees: never the login name."""
    return counselor.display_name or translate(lang, "widget.chat.counselor")
