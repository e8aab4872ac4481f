"""The only package that talks to Redis."""

from __future__ import annotations

from dataclasses import dataclass

from helpchat import identity
from helpchat.config import LiveSettings, Settings
from helpchat.store.audit import AuditLog
from helpchat.store.auth import AuthSessions
from helpchat.store.canned import CannedResponses, load_canned_file
from helpchat.store.connection import Redis, Scripts
from helpchat.store.contacts import Contacts, load_contacts_file
from helpchat.store.conversations import Conversations
from helpchat.store.counselors import Counselors
from helpchat.store.durability import replica_confirm
from helpchat.store.feeds import CalendarFeeds
from helpchat.store.insights import Insights
from helpchat.store.invites import Invites
from helpchat.store.limits import RateLimits
from helpchat.store.persistence import Persistence
from helpchat.store.presence import Presence
from helpchat.store.proof import ProofCounters
from helpchat.store.queue import Queue
from helpchat.store.refused import RefusedOrigins
from helpchat.store.roster import RosterStore
from helpchat.store.service_load import ServiceLoad
from helpchat.store.sessions import VisitorSessions
from helpchat.store.settings import SettingsStore
from helpchat.store.stats import Stats
from helpchat.store.supervision import Supervision
from helpchat.store.threads import Threads
from helpchat.store.two_factor import TwoFactor
from helpchat.store.wellbeing import Wellbeing
from helpchat.store.wrapups import WrapUps


@dataclass(frozen=True)
class Store:
    redis: Redis
    sessions: VisitorSessions
    conversations: Conversations
    queue: Queue
    counselors: Counselors
    auth: AuthSessions
    stats: Stats
    contacts: Contacts
    persistence: Persistence
    presence: Presence
    canned: CannedResponses
    wrapups: WrapUps
    supervision: Supervision
    wellbeing: Wellbeing
    roster: RosterStore
    settings: SettingsStore
    audit: AuditLog
    invites: Invites
    feeds: CalendarFeeds
    insights: Insights
    proof: ProofCounters
    limits: RateLimits
    threads: Threads
    refused: RefusedOrigins
    two_factor: TwoFactor
    load: ServiceLoad

    @classmethod
    def create(cls, client: Redis, settings: Settings, live: LiveSettings | None = None,
               process_id: str | None = None) -> Store:
        """`process_id` names the server process whose sockets `presence` registers (a
        random one for a CLI command or a test that opens no sockets)."""
        scripts = Scripts.load(client)
        live = live or LiveSettings(settings)
        insights = Insights(client, live)
        return cls(
            redis=client,
            sessions=VisitorSessions(client, scripts,
                                     idle_ttl_s=settings.visitor_idle_session_seconds),
            conversations=Conversations(client, scripts, replica_confirm(settings, client)),
            queue=Queue(client, scripts),
            counselors=Counselors(client),
            auth=AuthSessions(
                client,
                idle_s=settings.session_idle_minutes * 60,
                absolute_s=settings.session_absolute_hours * 3600,
            ),
            stats=Stats(client),
            persistence=Persistence(client),
            presence=Presence(client, process_id or identity.new_id()),
            contacts=Contacts(client, load_contacts_file(settings.contacts_file)),
            canned=CannedResponses(client, load_canned_file(settings.canned_responses_file)),
            wrapups=WrapUps(client, insights),
            supervision=Supervision(client),
            wellbeing=Wellbeing(client),
            roster=RosterStore(client),
            settings=SettingsStore(client),
            audit=AuditLog(client),
            invites=Invites(client),
            feeds=CalendarFeeds(client),
            insights=insights,
            proof=ProofCounters(client),
            limits=RateLimits(client),
            threads=Threads(client, ttl_s=settings.question_ttl_days * 24 * 3600),
            refused=RefusedOrigins(client),
            two_factor=TwoFactor(client, scripts),
            load=ServiceLoad(scripts),
        )

    async def memory(self) -> tuple[int, int] | None:
        """(used, maxmemory) in bytes; maxmemory 0 when Redis has no ceiling; None when Redis
        cannot be reached."""
        try:
            info = await self.redis.info("memory")
        except Exception:  # noqa: BLE001 - any failure means "down" for the health check
            return None
        return int(info.get("used_memory", 0)), int(info.get("maxmemory", 0))

    async def ping(self) -> bool:
        try:
            return bool(await self.redis.ping())
        except Exception:  # noqa: BLE001 - any failure means "down" for the health check
            return False
