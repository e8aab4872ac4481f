"""Protocol payloads (PROTOCOL.md shapes) built from store records, and ack helpers."""

from __future__ import annotations

from typing import Any

from helpchat.errors import HelpchatError
from helpchat.i18n import translate
from helpchat.identity import pseudonym, pseudonym_code
from helpchat.store.models import Conversation, Message, QueueEntry


def ok(**fields: Any) -> dict[str, Any]:
    return {"ok": True, **fields}


def error(exc: HelpchatError, lang: str) -> dict[str, Any]:
    message = translate(lang, exc.message_key, **exc.params)
    return {"ok": False, "error": {"code": exc.code, "message": message, **exc.fields},
            **exc.extra}


def message(msg: Message) -> dict[str, Any]:
    return {
        "id": msg.id,
        "conversation_id": msg.conversation_id,
        "sender": msg.sender,
        "text": msg.text,
        "ts_ms": msg.ts_ms,
        "client_id": msg.client_id,
        "counselor_name": msg.counselor_name,
    }


def conversation(conv: Conversation, messages: list[Message], more: bool, lang: str
                 ) -> dict[str, Any]:
    return {
        "id": conv.id,
        "pseudonym": pseudonym(conv.pseudonym_code, lang),
        "topic": conv.topic,
        "urgent": conv.urgent,
        "lang": conv.lang,
        "returning": conv.returning,
        "started_ms": conv.started_ms,
        "created_ms": conv.created_ms,
        "messages": [message(m) for m in messages],
        "more": more,
    }


def earlier_thread(tid: str, messages: list[Message]) -> dict[str, Any]:
    """The question thread a returning young person chose to bring to its counselor."""
    return {"thread_id": tid, "label": pseudonym_code(tid),
            "messages": [message(m) for m in messages]}


def queue_entry(entry: QueueEntry, now_ms: int, lang: str) -> dict[str, Any]:
    conv = entry.conversation
    return {
        "conversation_id": conv.id,
        "pseudonym": pseudonym(conv.pseudonym_code, lang),
        "waiting_s": max(0, (now_ms - conv.created_ms) // 1000),
        "topic": conv.topic,
        "urgent": conv.urgent,
        "flags": [flag for flag, on in (("returning", conv.returning), ("away", entry.away))
                  if on],
        "position": entry.position,
        "lang": conv.lang,
        "waiting_messages": entry.visitor_messages,
        "waiting_chars": entry.visitor_chars,
    }


def ahead_reason(entries: list[QueueEntry], index: int) -> str | None:
    """Why someone waits behind people who came later, in words the widget can show.

    "urgent_ahead": a visitor who said they are in danger joined later and goes first;
    "returned_ahead": a chat handed back by its counselor goes back to the front. None when
    everyone ahead was there first.
    """
    mine = entries[index].conversation
    later = [e.conversation for e in entries[:index] if e.conversation.created_ms > mine.created_ms
             or e.conversation.started_ms is not None]
    if any(conv.urgent and conv.started_ms is None for conv in later):
        return "urgent_ahead"
    return "returned_ahead" if later else None


def queue_position(entries: list[QueueEntry], index: int, wait_s: int | None) -> dict[str, Any]:
    return {"position": entries[index].position, "estimated_wait_s": wait_s,
            "reason": ahead_reason(entries, index)}
