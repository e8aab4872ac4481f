"""Shifts placed relative to the real clock, for tests against a running server."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

AMS = ZoneInfo("Europe/Amsterdam")


def local_now() -> datetime:
    return datetime.now(AMS)


def shift_around(now: datetime, before: timedelta, after: timedelta) -> dict[str, str]:
    """Form fields of a weekly shift from now-before to now+after (whole minutes); it may
    cross midnight, then its weekday is the day it starts. It is valid from that day: the
    add form's default (today) would drop a run that started yesterday evening, so a test
    run between 00:00 and the shift's start would find no shift running."""
    start = (now - before).replace(second=0, microsecond=0)
    end = (now + after).replace(second=0, microsecond=0)
    return {"weekday": str(start.weekday()), "start": f"{start:%H:%M}", "end": f"{end:%H:%M}",
            "valid_from": start.date().isoformat()}


def shift_in_two_days(now: datetime) -> tuple[dict[str, str], datetime]:
    """Form fields of a 10:00-12:00 shift two days from now, and when it next opens."""
    day = (now + timedelta(days=2)).date()
    opens = datetime(day.year, day.month, day.day, 10, 0, tzinfo=AMS)
    return {"weekday": str(day.weekday()), "start": "10:00", "end": "12:00"}, opens
