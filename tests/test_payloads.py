"""Pure payload builders of the realtime layer."""

from __future__ import annotations

from helpchat.realtime.payloads import ahead_reason, queue_position
from helpchat.store.models import Conversation, QueueEntry


def waiting(created_ms: int, *, urgent: bool = False,
            started_ms: int | None = None) -> Conversation:
    return Conversation(id=f"c{created_ms}", vid=f"v{created_ms}", state="queued",
                        counselor_id=None, topic=None, urgent=urgent, created_ms=created_ms,
                        started_ms=started_ms, pseudonym_code="AAAA", lang="nl", returning=False)


def queue(*conversations: Conversation) -> list[QueueEntry]:
    return [QueueEntry(conv, position) for position, conv in enumerate(conversations, 1)]


def test_nobody_came_later_ahead_of_you_means_no_reason() -> None:
    entries = queue(waiting(1), waiting(2), waiting(3))
    assert [ahead_reason(entries, i) for i in range(3)] == [None, None, None]


def test_an_urgent_visitor_who_joined_later_and_goes_first_is_the_reason() -> None:
    entries = queue(waiting(5, urgent=True), waiting(1), waiting(2))
    assert ahead_reason(entries, 0) is None
    assert ahead_reason(entries, 1) == "urgent_ahead"
    assert queue_position(entries, 2, 120) == {
        "position": 3, "estimated_wait_s": 120, "reason": "urgent_ahead"}


def test_an_urgent_visitor_who_was_there_first_is_no_reason() -> None:
    entries = queue(waiting(1, urgent=True), waiting(2))
    assert ahead_reason(entries, 1) is None


def test_a_chat_handed_back_to_the_front_is_named_as_such() -> None:
    entries = queue(waiting(1, started_ms=4), waiting(2))
    assert ahead_reason(entries, 1) == "returned_ahead"
