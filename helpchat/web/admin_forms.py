"""Parsing admin form fields into values or Msg errors. Pure functions, no I/O."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, time
from urllib.parse import urlsplit

from helpchat.roster import validate_shift_times
from helpchat.web.admin_common import Errors, Msg

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
PHONE = re.compile(r"\+?[0-9 -]+")


def too_long(max_chars: int) -> Msg:
    return Msg("admin.error.too_long", {"max": max_chars})


def text(errors: Errors, name: str, value: str, max_chars: int, required: bool = False) -> str:
    if required and not value:
        errors[name] = Msg("admin.error.required")
    elif len(value) > max_chars:
        errors[name] = too_long(max_chars)
    return value


def integer(errors: Errors, name: str, value: str, low: int, high: int) -> int:
    try:
        number = int(value.strip())
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        errors[name] = Msg("admin.error.number_range", {"min": low, "max": high})
    return number


def decimal(errors: Errors, name: str, value: str, low: float, high: float) -> float:
    try:
        number = float(value.strip().replace(",", "."))
    except ValueError:
        number = low - 1
    if not low <= number <= high or number != number:  # NaN is no number of hours
        errors[name] = Msg("admin.error.number_range", {"min": low, "max": high})
    return number


def iso_date(errors: Errors, name: str, value: str) -> date | None:
    try:
        if ISO_DATE.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    errors[name] = Msg("admin.error.date")
    return None


def shift_times(errors: Errors, prefix: str, start: str, end: str) -> tuple[time, time] | None:
    try:
        return validate_shift_times(start, end)
    except ValueError as exc:
        field = str(exc).split(":", 1)[0]
        if field == "end" and "differ" in str(exc):
            errors[f"{prefix}end"] = Msg("admin.roster.error.same_time")
        else:
            errors[f"{prefix}{field}"] = Msg("admin.error.time")
        return None


def weekdays(errors: Errors, name: str, values: Iterable[str]) -> list[int]:
    days = sorted({int(v) for v in values if v in {"0", "1", "2", "3", "4", "5", "6"}})
    if not days:
        errors[name] = Msg("admin.roster.error.weekday")
    return days


def chosen_ids(errors: Errors, name: str, values: Iterable[str],
               allowed: set[str]) -> tuple[str, ...]:
    ids = tuple(dict.fromkeys(values))
    if any(i not in allowed for i in ids):
        errors[name] = Msg("admin.roster.error.counselor")
    return ids


def https_url(errors: Errors, name: str, value: str, max_chars: int = 300,
              schemes: tuple[str, ...] = ("https",)) -> str | None:
    if not value:
        return None
    parts = urlsplit(value)
    if (len(value) > max_chars or parts.scheme not in schemes or not parts.hostname
            or parts.username or parts.password or any(c.isspace() for c in value)):
        errors[name] = Msg("admin.error.https_url" if schemes == ("https",)
                           else "admin.error.web_url")
    return value


def phone(errors: Errors, name: str, value: str) -> str | None:
    if not value:
        return None
    digits = sum(c.isdigit() for c in value)
    if not PHONE.fullmatch(value) or digits < 2 or len(value) > 30:
        errors[name] = Msg("admin.contacts.error.phone")
    return value


def origin(value: str) -> bool:
    parts = urlsplit(value)
    return (parts.scheme in ("http", "https") and bool(parts.hostname)
            and parts.path in ("", "/") and not parts.query and not parts.fragment
            and not parts.username and not parts.password)


def lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]
