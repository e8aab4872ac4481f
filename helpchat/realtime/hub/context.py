"""What every part of the hub shares: the socket.io server, the store, the live settings, the
clock, the roster hooks and the arrival pacing."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import socketio

from helpchat.availability import RosterStatus
from helpchat.config import LiveSettings, Settings
from helpchat.limits import Rate
from helpchat.metrics import Metrics
from helpchat.outage import RedisWatch
from helpchat.realtime.pacing import ArrivalPacer
from helpchat.store import Store

RosterProvider = Callable[[int], Awaitable[RosterStatus | None]]
# (counselor id, now ms) -> may go on duty now (the roster and allow_unscheduled_duty)
DutyCheck = Callable[[str, int], Awaitable[bool]]


async def no_roster(_now_ms: int) -> RosterStatus | None:
    return None


async def any_time(_counselor_id: str, _now_ms: int) -> bool:
    return True


class HubContext:
    def __init__(
        self,
        sio: socketio.AsyncServer,
        store: Store,
        settings: LiveSettings,
        *,
        clock: Callable[[], float] = time.time,
        roster: RosterProvider = no_roster,
        duty_check: DutyCheck = any_time,
        metrics: Metrics | None = None,
    ) -> None:
        self.sio = sio
        self.metrics = metrics or Metrics()
        self.store = store
        self.live = settings
        self.clock = clock
        self.roster = roster
        self.duty_check = duty_check
        self.redis_watch = RedisWatch()
        self.arrivals = ArrivalPacer(self.settings.arrival_busy_percent / 100,
                                     self.settings.arrival_max_wait_seconds, self.metrics)

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    @property
    def settings(self) -> Settings:
        return self.live.current

    def rate(self, what: str, kind: str) -> Rate:
        """The bucket for `what` ("msg" or "typing") of a visitor ("v") or counselor ("c")."""
        s = self.settings
        if what == "typing":
            return Rate(s.typing_burst, s.typing_per_minute)
        if kind == "v":
            return Rate(s.visitor_message_burst, s.visitor_messages_per_minute)
        return Rate(s.counselor_message_burst, s.counselor_messages_per_minute)
