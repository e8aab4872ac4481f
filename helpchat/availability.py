"""Whether a visitor can queue now, and what they are told when not. Pure logic, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RosterStatus:
    """What the duty roster says now; None for an installation without a roster."""

    accepting: bool
    next_open_at: str | None = None
    opening_hours: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Capacity:
    counselors_on_duty: int
    queue_length: int
    queue_cap: int
    estimated_wait_s: int | None


def availability(
    capacity: Capacity,
    contacts: list[dict[str, Any]],
    roster: RosterStatus | None = None,
    maintenance: bool = False,
) -> dict[str, Any]:
    """The PROTOCOL.md Availability object. Contacts always come along; the widget shows them
    prominently when `available` is false, so they must never be empty then."""
    reason: str | None = None
    if maintenance:
        reason = "maintenance"
    elif roster is not None and not roster.accepting:
        reason = "closed"
    elif capacity.counselors_on_duty < 1:
        reason = "no_counselor"
    elif capacity.queue_length >= capacity.queue_cap:
        reason = "queue_full"
    available = reason is None
    if not available and not contacts:
        raise ValueError("no emergency contacts configured: refusing to answer 'unavailable' "
                         "without them")
    return {
        "available": available,
        "reason": reason,
        "next_open_at": roster.next_open_at if roster and not available else None,
        "opening_hours": roster.opening_hours if roster else [],
        "estimated_wait_s": capacity.estimated_wait_s if available else None,
        "contacts": contacts,
    }
