"""The chat's moves, shared by both namespaces: each one calls the store, then tells every side.

One part per concern, composed here; the namespaces call the parts (`hub.visitors.message`,
`hub.counselors.take`, ...), and the parts share one `HubContext` (the hub itself):
  pushes     availability, queue, positions, duty state: what everyone sees of the service
  lifecycle  messages, requeue, end and wrap-up: a conversation's life, whoever moves it
  visitors   the young person's moves
  counselors the counselor's moves
  sweeps     grace periods and disabled accounts
  proof      the proof-of-work gate in front of the queue (abnormal demand only)
  questions  questions for later (realtime/questions.py, its own room outside the package)
  shedding   one console action ends a test/prank/abusive contact (and maybe blocks it)
  arrivals   new visitors wait their turn while this process is busy (realtime/pacing.py)
Room names are in `rooms`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import socketio

from helpchat.config import LiveSettings
from helpchat.metrics import Metrics
from helpchat.realtime.hub.context import DutyCheck, HubContext, RosterProvider, any_time, no_roster
from helpchat.realtime.hub.counselors import CounselorSide
from helpchat.realtime.hub.lifecycle import MACHINE_REASONS, Lifecycle
from helpchat.realtime.hub.proof import ProofGate
from helpchat.realtime.hub.pushes import Load, Pushes
from helpchat.realtime.hub.rooms import (
    COUNSELOR_NS,
    QUEUE_ROOM,
    SUPERVISORS_ROOM,
    VISITOR_NS,
    counselor_room,
    lang_room,
    visitor_room,
    watch_room,
)
from helpchat.realtime.hub.shedding import Shedding
from helpchat.realtime.hub.sweeps import GraceSweeps
from helpchat.realtime.hub.visitors import VisitorSide
from helpchat.store import Store

if TYPE_CHECKING:
    from helpchat.realtime.questions import QuestionDesk

__all__ = [
    "COUNSELOR_NS", "MACHINE_REASONS", "QUEUE_ROOM", "SUPERVISORS_ROOM", "VISITOR_NS", "Hub",
    "Load", "counselor_room", "lang_room", "visitor_room", "watch_room",
]


class Hub(HubContext):
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
        super().__init__(sio, store, settings, clock=clock, roster=roster, duty_check=duty_check,
                         metrics=metrics)
        self.pushes = Pushes(self)
        self.chats = Lifecycle(self, self.pushes)
        self.gate = ProofGate(self)
        self.visitors = VisitorSide(self, self.pushes, self.chats, self.gate)
        self.counselors = CounselorSide(self, self.pushes, self.chats)
        self.sweeps = GraceSweeps(self, self.pushes, self.chats)
        # Imported here: the desk builds on this package's context and rooms.
        from helpchat.realtime.questions import QuestionDesk

        self.questions: QuestionDesk = QuestionDesk(self, self.gate, self.counselors, self.chats)
        self.shedding = Shedding(self, self.chats)
