"""When an emergency contact can be reached: structured, so the widget can tell "open now"
from "closed, opens at 11:00" instead of showing free text that reads the same at noon and at
midnight. Pure: no I/O, no clock.

Shape (the Contact's `open` field, times in the roster's time zone):
    {"always": true}                                   24/7
    {"days": [0, ..., 6], "from": "HH:MM", "to": "HH:MM"}   Monday = 0; "to" <= "from" runs
                                                            past midnight into the next day
    null                                               not known: shown as the free text only
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

OpenHours = dict[str, Any]
ALWAYS: OpenHours = {"always": True}
HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
MODES = ("unknown", "always", "hours")


def normalize(value: Any) -> OpenHours | None:
    """A stored or seeded value in its one canonical form; None when unknown or malformed
    (an old or hand-edited entry never breaks the widget, it just shows no open/closed mark)."""
    if value == "24/7" or (isinstance(value, dict) and value.get("always") is True):
        return dict(ALWAYS)
    if not isinstance(value, dict):
        return None
    days = value.get("days")
    start, end = value.get("from"), value.get("to")
    if not isinstance(days, list) or not all(isinstance(d, int) and 0 <= d <= 6 for d in days):
        return None
    if not days or not _time(start) or not _time(end) or start == end:
        return None
    return {"days": sorted(set(days)), "from": start, "to": end}


def from_form(mode: str, days: Iterable[str], start: str, end: str) -> OpenHours | None:
    """The admin form's fields; raises ValueError("<field>: <why>") naming the wrong field."""
    if mode not in MODES:
        raise ValueError("open_mode: unknown")
    if mode == "unknown":
        return None
    if mode == "always":
        return dict(ALWAYS)
    chosen = sorted({int(d) for d in days if d in {"0", "1", "2", "3", "4", "5", "6"}})
    if not chosen:
        raise ValueError("open_days: none chosen")
    for field, value in (("open_from", start), ("open_to", end)):
        if not _time(value):
            raise ValueError(f"{field}: not HH:MM")
    if start == end:
        raise ValueError("open_to: same as open_from")
    return {"days": chosen, "from": start, "to": end}


def form_values(hours: OpenHours | None) -> dict[str, Any]:
    """The form's fields for a stored value (the inverse of from_form)."""
    if hours is None:
        return {"open_mode": "unknown", "open_days": [], "open_from": "", "open_to": ""}
    if hours.get("always"):
        return {"open_mode": "always", "open_days": [], "open_from": "", "open_to": ""}
    return {"open_mode": "hours", "open_days": [str(d) for d in hours["days"]],
            "open_from": hours["from"], "open_to": hours["to"]}


def _time(value: Any) -> bool:
    return isinstance(value, str) and bool(HHMM.match(value))
