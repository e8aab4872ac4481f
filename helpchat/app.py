"""create_app(settings): the only place where the parts are wired together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import jinja2
import socketio
from aiohttp import web
from redis.exceptions import RedisError

from helpchat import appkeys, identity
from helpchat.config import PROJECT_ROOT, LiveSettings, Settings
from helpchat.duty_rules import RosterRules
from helpchat.metrics import Metrics
from helpchat.passwords import PasswordWork
from helpchat.realtime import wire_json
from helpchat.realtime.counselor import CounselorNamespace
from helpchat.realtime.hub import COUNSELOR_NS, VISITOR_NS, Hub
from helpchat.realtime.packet_queue import PacketQueue
from helpchat.realtime.pubsub import ResyncingRedisManager
from helpchat.realtime.transport import choose_websocket
from helpchat.realtime.visitor import VisitorNamespace
from helpchat.stopping import stop_tasks
from helpchat.store import Store
from helpchat.store.connection import MasterFollower, connect
from helpchat.web import (
    account,
    admin,
    api,
    auth,
    health,
    login_code,
    metrics,
    my_shifts,
    setup,
    shifts,
    two_factor,
    widget,
)
from helpchat.web.access_log import keep_addresses_out
from helpchat.web.console import setup_routes as setup_console_routes
from helpchat.web.login import setup_routes as setup_login_routes
from helpchat.web.origins import socketio_origin_check
from helpchat.web.security import no_version_banner, security_headers, security_middleware

log = logging.getLogger(__name__)
SWEEP_INTERVAL_S = 2.0
HEARTBEAT_INTERVAL_S = 1.0
# How often a process looks for sockets it no longer holds (a disconnect lost to an outage).
RECONCILE_INTERVAL_S = 10.0
AOF_REWRITE_INTERVAL_S = 300.0
SHUTDOWN_WAIT_S = 5.0
DUTY_SAMPLE_S = 60.0


def _templates() -> jinja2.Environment:
    loader = jinja2.FileSystemLoader([
        Path(__file__).parent / "templates",
        PROJECT_ROOT / "widgets",
    ])
    return jinja2.Environment(loader=loader, autoescape=True, enable_async=False)


async def _sweeper(hub: Hub) -> None:
    """Grace periods and time-driven availability (shifts opening and closing), and now and then
    a rewrite of Redis's append-only file so that deleted transcripts leave the disk too."""
    loop = asyncio.get_running_loop()
    next_rewrite = loop.time() + AOF_REWRITE_INTERVAL_S
    next_reconcile = loop.time() + RECONCILE_INTERVAL_S
    while True:
        await asyncio.sleep(SWEEP_INTERVAL_S)
        try:
            await hub.sweeps.bury_dead_processes()
            if loop.time() >= next_reconcile:
                next_reconcile = loop.time() + RECONCILE_INTERVAL_S
                await hub.sweeps.reconcile()
            await hub.sweeps.sweep()
            await hub.questions.sweep()
            await hub.pushes.push_availability()
            if loop.time() >= next_rewrite:
                next_rewrite = loop.time() + AOF_REWRITE_INTERVAL_S
                ended = (await hub.store.stats.counts()).get("chats_ended", 0)
                # Deleted and expired question threads count as ended chats: their text too
                # must leave the append-only file.
                threads = await hub.store.threads.counts()
                ended += threads.get("deleted", 0) + threads.get("expired", 0)
                await hub.store.persistence.rewrite_if_chats_ended(ended)
            hub.metrics.beat()
        except RedisError as exc:
            hub.metrics.redis_errors.inc()
            hub.redis_watch.failed(exc)  # logged once per outage, not every two seconds
        except Exception:
            log.exception("sweep failed")


async def _heartbeat(hub: Hub, manager: ResyncingRedisManager) -> None:
    """This process's heartbeat in Redis: while it beats, the others trust its sockets. It also
    learns whether other processes run (local delivery: realtime/pubsub.py)."""
    while True:
        try:
            now = hub.now_ms()
            put_back = await hub.store.presence.beat(now)
            hub.redis_watch.succeeded()
            others = await hub.store.presence.others_beating(
                now - hub.settings.process_timeout_seconds * 1000)
            manager.others_beating(others)
            if put_back:
                log.warning("this process was taken for dead (it stalled longer than "
                            "process_timeout_seconds): its %d sockets are registered again",
                            put_back)
                if others:
                    # They may have served alone meanwhile: they publish again from now on,
                    # and this process's clients fetch what they missed.
                    await manager.announce()
                    await manager.ask_resync()
                await hub.pushes.push_queue()
        except RedisError as exc:
            hub.redis_watch.failed(exc)
        await asyncio.sleep(HEARTBEAT_INTERVAL_S)


async def _follow_master(hub: Hub, follower: MasterFollower,
                         manager: ResyncingRedisManager) -> None:
    """Under Sentinel: after a failover, this process's pool and its pub/sub move to the new
    master within a second (what was acknowledged meanwhile a replica holds: durability.py)."""
    while True:
        await asyncio.sleep(HEARTBEAT_INTERVAL_S)
        try:
            if await follower.check():
                log.warning("redis master changed (Sentinel failover): following it")
                await manager.follow_new_master()
        except RedisError as exc:
            hub.redis_watch.failed(exc)
        except Exception:
            log.exception("following the redis master failed")


async def sample_duty(hub: Hub, rules: RosterRules) -> bool:
    """One minute's reading of counselors on duty and scheduled, for Insights' coverage."""
    now = hub.now_ms()
    on_duty = (await hub.pushes.load()).on_duty
    return await hub.store.insights.sample_duty(on_duty, await rules.scheduled_count(now), now)


async def _duty_sampler(hub: Hub, rules: RosterRules) -> None:
    """Every process wakes just after each minute starts; the store lets one of them count.
    A wake that finds the clock outside the minute it slept for (the clock was stepped, or the
    loop stalled past that minute) takes no reading: each reading stands for the minute it was
    planned for, and a test's scripted clock never gets one it did not ask for."""
    while True:
        due = int(hub.clock() // DUTY_SAMPLE_S) + 1
        await asyncio.sleep(due * DUTY_SAMPLE_S - hub.clock() + 1)
        if int(hub.clock() // DUTY_SAMPLE_S) != due:
            continue
        try:
            await sample_duty(hub, rules)
        except Exception:
            log.exception("duty sample failed")


async def _join(hub: Hub, manager: ResyncingRedisManager) -> None:
    """Beat once and announce this process before it serves. A process already serving alone
    delivers locally only; it publishes again once it hears the announcement or reads this
    heartbeat, so this one waits out a heartbeat interval first (only when others run)."""
    now = hub.now_ms()
    await hub.store.presence.beat(now)
    others = await hub.store.presence.others_beating(
        now - hub.settings.process_timeout_seconds * 1000)
    manager.others_beating(others)
    if others:
        await manager.announce()
        await asyncio.sleep(HEARTBEAT_INTERVAL_S * 1.5)


def _lifecycle(hub: Hub, rules: RosterRules, manager: ResyncingRedisManager,
               ) -> Callable[[web.Application], AsyncIterator[None]]:
    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        with contextlib.suppress(RedisError):  # before the first socket arrives
            await _join(hub, manager)
        tasks = [asyncio.create_task(job) for job in (
            _sweeper(hub), _duty_sampler(hub, rules), _heartbeat(hub, manager), hub.arrivals.run())]
        follower = MasterFollower(hub.store.redis)
        if follower.needed:
            tasks.append(asyncio.create_task(_follow_master(hub, follower, manager)))
        yield
        # Bounded: a Redis call that holds on to its cancellation must not hang the shutdown.
        await stop_tasks(tasks, SHUTDOWN_WAIT_S)
        await hub.sio.shutdown()  # engineio's ping monitor ends on its event, not on a cancel
        await hub.pushes.close()
        with contextlib.suppress(RedisError):
            await hub.store.presence.retire()  # the others close this process's sockets now
        await manager.stop(SHUTDOWN_WAIT_S)
        await hub.store.redis.aclose()

    return lifecycle


def create_app(settings: Settings) -> web.Application:
    if not settings.redis_url:
        raise ValueError("create_app needs settings.redis_url (the CLI starts embedded Redis)")
    live = LiveSettings(settings)
    keep_addresses_out()
    no_version_banner()
    app = web.Application(middlewares=[security_middleware], client_max_size=256 * 1024)
    app.on_response_prepare.append(security_headers)
    # This process's name in Redis: its heartbeat and the sockets it holds (not the pid: a
    # restarted process must not inherit a dead one's sockets).
    store = Store.create(connect(settings.redis_url), settings, live, process_id=identity.new_id())
    # Shares emits and rooms between processes on one Redis.
    manager = ResyncingRedisManager(store.redis, connect(settings.redis_url, max_connections=1),
                                    channel="helpchat")
    sio = socketio.AsyncServer(
        async_mode="aiohttp",
        client_manager=manager,
        cors_allowed_origins=socketio_origin_check(live),
        max_http_buffer_size=64 * 1024,
        serializer=wire_json.JsonPacket,
        json=wire_json,
        logger=False,
        engineio_logger=False,
    )
    rules = RosterRules(store.roster, live)
    hub = Hub(sio, store, live, roster=rules.status, duty_check=rules.may_go_on_duty,
              metrics=Metrics())
    choose_websocket(sio, compression=settings.websocket_compression)
    sio.eio.create_queue = PacketQueue  # each connection's outgoing packets (packet_queue.py)
    sio.register_namespace(VisitorNamespace(VISITOR_NS, hub))
    sio.register_namespace(CounselorNamespace(COUNSELOR_NS, hub))
    sio.attach(app)

    app[appkeys.SETTINGS] = settings
    app[appkeys.LIVE_SETTINGS] = live
    app[appkeys.STORE] = store
    app[appkeys.SIO] = sio
    app[appkeys.HUB] = hub
    app[appkeys.TEMPLATES] = _templates()
    app[appkeys.PASSWORDS] = PasswordWork()
    app.cleanup_ctx.append(_lifecycle(hub, rules, manager))

    health.setup_routes(app)
    metrics.setup_routes(app)
    api.setup_routes(app)
    auth.setup_routes(app)
    # feature routes
    admin.setup_routes(app)
    account.setup_routes(app)
    two_factor.setup_routes(app)
    login_code.setup_routes(app)
    setup.setup_routes(app)
    shifts.setup_routes(app)
    my_shifts.setup_routes(app)
    # One static route for helpchat/static (console, admin and shared CSS/JS).
    app.router.add_static("/static/", Path(__file__).parent / "static")
    setup_login_routes(app)
    setup_console_routes(app)
    widget.setup_routes(app)
    return app
