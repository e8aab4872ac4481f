"""Payload validation for every client event. Pure functions: parse or raise HelpchatError.

Nothing a client sends reaches Redis (least of all a key name) without passing through here.
"""

from __future__ import annotations

import re
from typing import Any

from helpchat.errors import HelpchatError, invalid

CONVERSATION_ID = re.compile(r"^[0-9a-f]{32}$")
COUNSELOR_ID = CONVERSATION_ID
MESSAGE_ID = re.compile(r"^\d{1,20}-\d{1,20}$")
CLIENT_ID = re.compile(r"^[\x21-\x7e]{1,64}$")  # printable ASCII, no spaces
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
WRAP_UP_ID = re.compile(r"^[0-9a-f]{16}$")
MAX_TOPIC = 80
MAX_REASON = 500
MAX_COMMENT = 1000
# Wrap-up choices: fixed lists (labels in locale console.json), so stored counts stay
# categories and never become free text about a young person.
# Contacts that are not a young person asking for help, ended with one console action (`shed`).
SHED_KINDS = ("test", "prank", "abusive")
WRAPUP_CATEGORIES = ("home", "school", "friends", "love", "feelings", "body", "abuse",
                     "bullying", "self_harm", "identity", "other", *SHED_KINDS)
AGE_BANDS = ("unknown", "under_12", "12_14", "15_17", "18_23", "over_23")
OUTCOMES = ("listened", "advice", "referred", "urgent_help", "ended_early", "not_serious",
            "other")
# How the chat ended, as the counselor registers it (preset by the console from chat_ended).
WRAPUP_ENDINGS = ("counselor", "visitor", "quick_exit", "connection_lost", "blocked")
# End-of-shift check-in: how do you feel, does a chat stay with you (call-back is a bool).
CHECKIN_FEELINGS = ("good", "okay", "heavy")
CHECKIN_STAYS = ("no", "a_little", "yes")


def payload(data: Any) -> dict[str, Any]:
    """Events carry one JSON object; absent means {}."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise invalid("payload must be a JSON object")
    return data


def optional_bool(data: dict[str, Any], name: str, default: bool = False) -> bool:
    value = data.get(name, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise invalid(f"{name} must be true or false")
    return value


def proof(data: dict[str, Any]) -> Any:
    """The optional solved challenge of `request_chat` (checked by helpchat.proof)."""
    value = data.get("proof")
    if value is None or isinstance(value, dict | str):
        return value
    raise invalid("proof must be an object")


def required_bool(data: dict[str, Any], name: str) -> bool:
    if not isinstance(data.get(name), bool):
        raise invalid(f"{name} must be true or false")
    return bool(data[name])


def optional_text(data: dict[str, Any], name: str, max_chars: int) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(f"{name} must be a string")
    value = value.strip()
    if len(value) > max_chars:
        raise HelpchatError("too_large", detail=f"{name} is longer than {max_chars} characters")
    return value or None


def message_text(data: dict[str, Any], max_chars: int) -> str:
    value = data.get("text")
    if not isinstance(value, str):
        raise invalid("text must be a string")
    if len(value) > max_chars:
        raise HelpchatError("too_large", "error.too_large", detail="text too long", max=max_chars)
    if not value.strip():
        raise invalid("text must not be empty")
    return value


def _matching(data: dict[str, Any], name: str, pattern: re.Pattern[str]) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not pattern.match(value):
        raise invalid(f"{name} is missing or malformed")
    return value


def conversation_id(data: dict[str, Any]) -> str:
    return _matching(data, "conversation_id", CONVERSATION_ID)


def client_id(data: dict[str, Any]) -> str:
    return _matching(data, "client_id", CLIENT_ID)


def after_id(data: dict[str, Any]) -> str | None:
    if data.get("after") is None:
        return None
    return _matching(data, "after", MESSAGE_ID)


def page_request(data: dict[str, Any]) -> tuple[str | None, str | None, int | None]:
    """`sync`'s (after, before, limit): at most one of after/before; limit a positive whole
    number (the server lowers it to its own page size)."""
    after = after_id(data)
    before = None if data.get("before") is None else _matching(data, "before", MESSAGE_ID)
    if after is not None and before is not None:
        raise invalid("give after or before, not both")
    limit = data.get("limit")
    if limit is None:
        return after, before, None
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise invalid("limit must be a positive whole number")
    return after, before, limit


def rating(data: dict[str, Any]) -> int:
    value = data.get("rating")
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise invalid("rating must be a whole number from 1 to 5")
    return value


def topic(data: dict[str, Any], allowed: tuple[str, ...]) -> str | None:
    value = optional_text(data, "topic", MAX_TOPIC)
    if value is not None and allowed and value not in allowed:
        raise invalid("topic is not one of the configured topics")
    return value


def transfer_target(data: dict[str, Any]) -> str | None:
    """`to`: a counselor id, or null for back to the front of the queue."""
    if "to" not in data:
        raise invalid("to is required (a counselor id, or null for the queue)")
    if data["to"] is None:
        return None
    return _matching(data, "to", COUNSELOR_ID)


def duty_state(data: dict[str, Any]) -> str:
    """{"on": bool} from the protocol, or {"status": "on"|"pause"|"off"} for the console."""
    status = data.get("status")
    if status is not None:
        if status not in ("on", "pause", "off"):
            raise invalid("status must be on, pause or off")
        return str(status)
    return "on" if required_bool(data, "on") else "off"


def visitor_auth(auth: Any) -> tuple[str | None, Any]:
    """(token or None, lang value) from the connect auth; a malformed token counts as none."""
    if not isinstance(auth, dict):
        return None, None
    token = auth.get("token")
    valid = isinstance(token, str) and TOKEN.match(token)
    return (token if valid else None), auth.get("lang")


def choice(data: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    value = data.get(name)
    if not isinstance(value, str) or value not in allowed:
        raise invalid(f"{name} must be one of: {', '.join(allowed)}")
    return value


def counselor_id(data: dict[str, Any]) -> str:
    return _matching(data, "counselor_id", COUNSELOR_ID)


def shed(data: dict[str, Any]) -> tuple[str, str, bool]:
    """(conversation id, kind, block) of a `shed`."""
    return conversation_id(data), choice(data, "kind", SHED_KINDS), optional_bool(data, "block")


WrapUpChoices = tuple[str, str, str, bool, str | None, bool]


def wrap_up(data: dict[str, Any]) -> tuple[str, WrapUpChoices | None]:
    """(wrap-up id, None when skipped or (category, age band, outcome, debrief, ending,
    heavy))."""
    wrap_id = _matching(data, "id", WRAP_UP_ID)
    if optional_bool(data, "skip"):
        return wrap_id, None
    return wrap_id, (choice(data, "category", WRAPUP_CATEGORIES),
                     choice(data, "age_band", AGE_BANDS),
                     choice(data, "outcome", OUTCOMES),
                     optional_bool(data, "debrief"),
                     optional_choice(data, "ended", WRAPUP_ENDINGS),
                     optional_bool(data, "heavy"))


def optional_choice(data: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str | None:
    return None if data.get(name) is None else choice(data, name, allowed)


def check_in(data: dict[str, Any]) -> tuple[str | None, str | None, bool]:
    """(feeling, stays with me, call back): every question may be left unanswered."""
    return (optional_choice(data, "feeling", CHECKIN_FEELINGS),
            optional_choice(data, "stays_with_me", CHECKIN_STAYS),
            optional_bool(data, "call_back"))
