"""Plain records read from Redis. Shaping them into protocol payloads is realtime.payloads' job."""

from __future__ import annotations

from dataclasses import dataclass

from helpchat.i18n import DEFAULT_LANGUAGE, translate


@dataclass(frozen=True)
class VisitorSession:
    vid: str
    lang: str
    state: str  # idle | queued | chatting | ended
    conversation_id: str | None
    blocked: bool
    stored: bool = True  # False: a visit that has not asked for a chat yet (nothing in Redis)


@dataclass(frozen=True)
class Conversation:
    id: str
    vid: str
    state: str  # queued | active | ended
    counselor_id: str | None
    topic: str | None
    urgent: bool
    created_ms: int
    started_ms: int | None
    pseudonym_code: str
    lang: str
    returning: bool
    # A young person back from a question thread, to the counselor who answered it (their
    # choice): the thread id, and the one counselor who may see that thread in this chat.
    earlier_thread: str | None = None
    return_to: str | None = None


@dataclass(frozen=True)
class Message:
    id: str
    conversation_id: str
    sender: str  # visitor | counselor | system
    text: str
    ts_ms: int
    client_id: str | None
    counselor_name: str | None


@dataclass(frozen=True)
class Counselor:
    id: str
    name: str
    roles: tuple[str, ...]
    max_chats: int
    disabled: bool
    password_hash: str
    # What visitors and colleagues see (issue 10): a first name, perhaps "(vrijwilliger)". ""
    # until set; `display_confirmed` is false for accounts older than display names, whose
    # name an admin is asked to confirm.
    display_name: str = ""
    display_confirmed: bool = False

    @property
    def shown_name(self) -> str:
        """For colleagues (console, My shifts, question inbox): the display name; until one is
        set, "Hulpverlener" with the first characters of the account id, so two such accounts
        stay apart. Never the login name, which only admins see (issue 10). Broadcasts reach
        consoles of both languages, so the default catalog is used (the console says it in
        its own: static/console/i18n.js staffName)."""
        return self.shown_name_in(DEFAULT_LANGUAGE)

    def shown_name_in(self, lang: str) -> str:
        """shown_name for readers of one language: a page rendered for them (My shifts), the
        iCal feed. An English reader sees "Counselor 3f2a", as in an English console."""
        return self.display_name or translate(lang, "counselor.unnamed", tag=self.id[:4])

    def has_role(self, role: str) -> bool:
        # Ranked roles: an admin may do what a supervisor may, a supervisor what a counselor may.
        ranks = {"counselor": 0, "supervisor": 1, "admin": 2}
        return any(ranks.get(r, -1) >= ranks[role] for r in self.roles)


@dataclass(frozen=True)
class QueueEntry:
    conversation: Conversation
    position: int  # 1-based, counting only the connected entries ahead
    away: bool = False  # the visitor is disconnected (within the grace period)
    # What the youth already wrote while waiting (triage in the console: counts, never text).
    visitor_messages: int = 0
    visitor_chars: int = 0
