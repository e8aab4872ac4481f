"""What a visitor is told: reasons in order, contacts always along."""

from __future__ import annotations

import pytest

from helpchat.availability import Capacity, RosterStatus, availability

CONTACTS = [{"name": "112", "phone": "112", "urgent": True}]


def capacity(on: int = 1, queue: int = 0, cap: int = 5, wait: int | None = 120) -> Capacity:
    return Capacity(counselors_on_duty=on, queue_length=queue, queue_cap=cap,
                    estimated_wait_s=wait)


def test_available_with_someone_on_duty_and_room_in_the_queue() -> None:
    result = availability(capacity(), CONTACTS)
    assert result["available"] is True and result["reason"] is None
    assert result["estimated_wait_s"] == 120 and result["contacts"] == CONTACTS


def test_reasons_closed_then_no_counselor_then_queue_full() -> None:
    closed = RosterStatus(False, "2026-11-23T14:00:00+01:00",
                          [{"day": "2026-11-23", "from": "14:00", "to": "22:00"}])
    assert availability(capacity(on=0), CONTACTS, closed)["reason"] == "closed"
    assert availability(capacity(on=0), CONTACTS)["reason"] == "no_counselor"
    full = availability(capacity(queue=5), CONTACTS)
    assert full["reason"] == "queue_full" and full["estimated_wait_s"] is None
    result = availability(capacity(on=0), CONTACTS, closed)
    assert result["next_open_at"] == "2026-11-23T14:00:00+01:00"
    assert result["opening_hours"][0]["from"] == "14:00"


def test_unavailable_without_contacts_is_refused_loudly() -> None:
    with pytest.raises(ValueError):
        availability(capacity(on=0), [])
