"""What the saved roster means right now: availability's RosterStatus, and whether a counselor
may go on duty. The decisions are pure functions; RosterRules feeds them from the store."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from helpchat import roster as rosters
from helpchat.availability import RosterStatus
from helpchat.config import LiveSettings, Settings
from helpchat.roster import Roster
from helpchat.store.roster import RosterStore

# A counselor may log on a little before their shift starts, to be ready when it opens.
EARLY_DUTY = timedelta(minutes=15)


def with_settings(roster: Roster | None, settings: Settings) -> Roster | None:
    """The roster under the settings in force (time zone, last intake); None when it has no
    shifts at all, which means "no roster": open whenever someone is on duty."""
    if roster is None or roster.is_empty:
        return None
    return dataclasses.replace(roster, timezone=settings.timezone,
                               last_intake_minutes=settings.last_intake_minutes)


def roster_status(roster: Roster | None, now: datetime) -> RosterStatus | None:
    if roster is None:
        return None
    accepting = rosters.accepts_new_chats(roster, now)
    next_open = None if accepting else rosters.next_open_at(roster, now)
    return RosterStatus(
        accepting=accepting,
        next_open_at=next_open.isoformat(timespec="seconds") if next_open else None,
        opening_hours=[row.as_payload() for row in rosters.opening_hours(roster, now)],
    )


def may_go_on_duty(roster: Roster | None, counselor_id: str, now: datetime,
                   allow_unscheduled: bool) -> bool:
    """Always with no roster or when unscheduled duty is allowed; otherwise during a shift
    the counselor is scheduled for (or EARLY_DUTY before it starts)."""
    if roster is None or allow_unscheduled:
        return True
    return counselor_id in (rosters.scheduled_at(roster, now)
                            | rosters.scheduled_at(roster, now + EARLY_DUTY))


def instant(now_ms: int) -> datetime:
    return datetime.fromtimestamp(now_ms / 1000, UTC)


class RosterRules:
    """The Hub's roster provider and duty check, reading the roster saved by admins."""

    def __init__(self, store: RosterStore, live: LiveSettings) -> None:
        self.store = store
        self.live = live

    async def current(self) -> Roster | None:
        return with_settings(await self.store.load(), self.live.current)

    async def status(self, now_ms: int) -> RosterStatus | None:
        return roster_status(await self.current(), instant(now_ms))

    async def scheduled_count(self, now_ms: int) -> int:
        """Counselors the roster has on a shift right now (0 without a roster)."""
        roster = await self.current()
        return len(rosters.scheduled_at(roster, instant(now_ms))) if roster else 0

    async def may_go_on_duty(self, counselor_id: str, now_ms: int) -> bool:
        return may_go_on_duty(await self.current(), counselor_id, instant(now_ms),
                              self.live.current.allow_unscheduled_duty)
