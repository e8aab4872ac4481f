"""/admin/insights through the real server: a scripted week of arrivals, takes, abandons before
and after the announced wait, visits turned away, quick exit, a block, wrap-ups and feedback,
then every number on the page, in the CSV and in the JSON; who may see it; bad periods; and the
key walk that fails on anything finer than an hour bucket or any per-visitor value."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import aiohttp
import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestServer

from helpchat import appkeys, insights
from helpchat.app import sample_duty
from helpchat.duty_rules import RosterRules
from helpchat.realtime.hub import Hub
from helpchat.web.admin_insights import PeriodError, resolve_period
from tests.admin_helpers import WebClient, web_client
from tests.conftest import ServerFactory
from tests.support import Client, Counselor, make_counselor, visitor
from tests.support import metric_sample as sample

ZONE = ZoneInfo("Europe/Amsterdam")


class Clock:
    """The hub's clock, moved by the script (the server itself is real)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def at(self, day: int, hour: int, minute: int, second: int = 0) -> None:
        """Move to 2026-11-(1 + day) local time; day 1 is Monday 2 November."""
        self.now = datetime(2026, 11, 1 + day, hour, minute, second, tzinfo=ZONE).timestamp()


@dataclass
class Week:
    server: TestServer
    url: str
    hub: Hub
    clock: Clock
    ids: list[str]  # every visitor id and conversation id the script produced
    tokens: list[str]


async def wrap_up(anna: Counselor, **choices: object) -> None:
    opened = await anna.client.wait_for("wrap_up")
    ack = await anna.call("wrap_up", {"id": opened["id"], **choices})
    assert ack["ok"], ack


async def queued(url: str, week: Week) -> tuple[Client, str, dict[str, object]]:
    youth, session = await visitor(url)
    ack = await youth.call("request_chat", {"topic": "School"})
    assert ack["ok"], ack
    week.tokens.append(session["token"])
    week.ids.append(ack["conversation_id"])
    return youth, ack["conversation_id"], ack


async def run_week(start_server: ServerFactory) -> AsyncIterator[Week]:
    server = await start_server()
    url = str(server.make_url("")).rstrip("/")
    hub = server.app[appkeys.HUB]
    clock = Clock()
    hub.clock = clock
    store = server.app[appkeys.STORE]
    week = Week(server, url, hub, clock, [], [])
    # Three earlier 5-minute chats: the estimate for the first place in the queue is 3 minutes.
    for _ in range(3):
        await store.stats.record_handle_time(300)
    clock.at(1, 10, 0)
    anna = await make_counselor(server.app, url, "anna")
    week.ids.append(anna.id)
    await anna.call("set_duty", {"on": True})

    # Monday 10:05 answered after 40 s; 10:06 leaves after 30 s (estimate 180 s); 10:07 leaves
    # after 210 s, past the estimate. The chat ends at 10:25:40 (20 minutes), rated 5.
    clock.at(1, 10, 5)
    a, a_cid, ack = await queued(url, week)
    assert ack["estimated_wait_s"] == 180
    clock.at(1, 10, 5, 40)
    assert (await anna.call("take", {"conversation_id": a_cid}))["ok"]
    await sample_duty(hub, RosterRules(store.roster, hub.live))
    clock.at(1, 10, 6)
    b, _, ack = await queued(url, week)
    assert ack["estimated_wait_s"] == 180
    clock.at(1, 10, 6, 30)
    assert (await b.call("leave_queue", {}))["ok"]
    clock.at(1, 10, 7)
    c, _, _ = await queued(url, week)
    clock.at(1, 10, 10, 30)
    assert (await c.call("leave_queue", {}))["ok"]
    clock.at(1, 10, 25, 40)
    assert (await anna.call("end_chat", {"conversation_id": a_cid}))["ok"]
    await a.wait_for("chat_ended")
    assert (await a.call("feedback", {"rating": 5, "comment": "Fijn gesprek"}))["ok"]
    await wrap_up(anna, category="school", age_band="15_17", outcome="listened")

    # Tuesday 20:00 nobody on duty: two visits turned away; asking again counts no second time.
    clock.at(2, 20, 0)
    assert (await anna.call("set_duty", {"on": False}))["ok"]
    d, _ = await visitor(url)
    assert (await d.call("request_chat", {}))["error"]["code"] == "closed"
    clock.at(2, 20, 1)
    e, _ = await visitor(url)

    # Wednesday 14:00 queue of one: the second visitor is turned away (queue full).
    clock.at(3, 14, 0)
    assert (await anna.call("set_duty", {"on": True}))["ok"]
    hub.live.update(queue_cap=1)
    f, _, _ = await queued(url, week)
    g, _ = await visitor(url)
    assert (await g.call("request_chat", {}))["error"]["code"] == "closed"
    clock.at(3, 14, 2)
    assert (await anna.call("take", {}))["ok"]
    clock.at(3, 14, 12)
    assert (await f.call("end_chat", {}))["ok"]
    assert (await f.call("feedback", {"rating": 2}))["ok"]
    await wrap_up(anna, skip=True)
    hub.live.update(queue_cap=25)

    # Thursday 16:00 answered after 10 s, then quick exit after 290 s of chat.
    clock.at(4, 16, 0)
    h, _, _ = await queued(url, week)
    clock.at(4, 16, 0, 10)
    assert (await anna.call("take", {}))["ok"]
    clock.at(4, 16, 5)
    assert (await h.call("forget_me", {"reason": "quick_exit"}))["ok"]
    await wrap_up(anna, category="other", age_band="unknown", outcome="not_serious",
                  ended="quick_exit")

    # Friday 21:00 answered after 5 s, blocked after 175 s.
    clock.at(5, 21, 0)
    i, i_cid, _ = await queued(url, week)
    clock.at(5, 21, 0, 5)
    assert (await anna.call("take", {}))["ok"]
    clock.at(5, 21, 3)
    assert (await anna.call("block", {"conversation_id": i_cid, "reason": "test"}))["ok"]
    await wrap_up(anna, category="other", age_band="unknown", outcome="not_serious",
                  ended="blocked")

    clock.at(7, 12, 0)  # Sunday: the admin looks
    try:
        yield week
    finally:
        for client in (a, b, c, d, e, f, g, h, i):
            await client.close()
        await anna.close()


@pytest.fixture
def redis_url(own_redis_url: str) -> str:
    """A Redis of the test's own: the week runs on a scripted clock, and another process on
    the suite's shared Redis (the e2e tests' session-long server) sweeps on the real one: it
    once ended the week's counselor's duty as a grace period run out (metrics then said 0)."""
    return own_redis_url


@pytest.fixture
async def week(start_server: ServerFactory) -> AsyncIterator[Week]:
    async for found in run_week(start_server):
        yield found


@pytest.fixture
async def admin(week: Week) -> AsyncIterator[WebClient]:
    client = await web_client(week.url, week.server.app, "beheer", "admin")
    yield client
    await client.close()


PERIOD = "from=2026-11-02&to=2026-11-08"
TOTALS = {"offered": 9, "answered": 4, "abandoned_before_estimate": 1,
          "abandoned_after_estimate": 1, "turned_away": 3, "turned_closed": 0,
          "turned_no_counselor": 2, "turned_queue_full": 1, "quick_exit": 1, "blocked": 1,
          "answered_async": 0, "questions_asked": 0, "answered_async_in_promise": 0,
          "codes_redeemed": 0}


def figures(html: str) -> dict[str, int]:
    return {name: int(n) for name, n in re.findall(r'data-figure="(\w+)">(\d+)<', html)}


async def test_page_csv_and_json_show_the_scripted_week(week: Week, admin: WebClient) -> None:
    html = await page_shows_the_week(admin)
    await csv_rows_add_up_to_the_page(admin, html)
    await json_carries_the_page_with_small_cells_merged(admin, html)
    await metrics_count_the_same_week(week)


async def metrics_count_the_same_week(week: Week) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"{week.url}/metrics") as response:
        assert response.status == 200
        text = await response.text()
    assert sample(text, "helpchat_waiting_seconds_count") == 4
    assert sample(text, "helpchat_waiting_seconds_sum") == 40 + 120 + 10 + 5
    assert sample(text, "helpchat_waiting_seconds_bucket", '{le="60.0"}') == 3
    assert sample(text, "helpchat_queue_length") == 0
    assert sample(text, "helpchat_chats_active") == 0
    assert sample(text, "helpchat_counselors_on_duty") == 1
    assert sample(text, "helpchat_ack_latency_seconds_count",
                  '{event="request_chat",namespace="/visitor"}') == 8


async def page_shows_the_week(admin: WebClient) -> str:
    status, html = await admin.get(f"/admin/insights?{PERIOD}")
    assert status == 200, html
    assert figures(html) == TOTALS
    # Waits 5, 10, 40 and 120 s: p50 in 10-15 s, p90 in 100-150 s, 3 of 4 within a minute.
    wait = re.search(r'id="figures-wait">(.*?)</dl>', html, re.S)
    assert wait and "10 s – 15 s" in wait.group(1) and "1:40 min – 2:30 min" in wait.group(1)
    assert "75 %" in wait.group(1) and "100 %" in wait.group(1)
    # Chats of 175, 290, 600 and 1200 s.
    duration = re.search(r'id="figures-duration">(.*?)</dl>', html, re.S)
    assert duration and "3:20 min – 5 min" in duration.group(1)
    assert "16:40 min – 25 min" in duration.group(1)
    worst = re.search(r'id="worst-hours">(.*?)</ol>', html, re.S)
    assert worst and "maandag 10:00" in worst.group(1) and "dinsdag 20:00" in worst.group(1)
    assert "Fijn gesprek" in html
    assert "2026-W45" in html
    assert "&lt; 5" in html  # small wrap-up cells
    ended = re.search(r'id="table-wrapup-ended">(.*?)</table>', html, re.S)
    assert ended and "Hoe het eindigde" in ended.group(1)
    assert "Snel weg (quick exit)</td><td>&lt; 5" in ended.group(1)
    return html


async def csv_rows_add_up_to_the_page(admin: WebClient, html: str) -> None:
    status, text = await admin.get(f"/admin/insights.csv?{PERIOD}")
    assert status == 200, text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 7 * 24 + 1
    total = rows[-1]
    assert total["date"] == "total"
    assert {k: int(total[k]) for k in insights.FUNNEL} == {k: TOTALS[k] for k in insights.FUNNEL}
    for name in insights.FUNNEL:
        assert sum(int(row[name]) for row in rows[:-1]) == TOTALS[name]
    monday_10 = next(r for r in rows if r["date"] == "2026-11-02" and r["hour"] == "10")
    assert {k: int(monday_10[k]) for k in insights.FUNNEL} == {
        "offered": 3, "answered": 1, "abandoned_before_estimate": 1,
        "abandoned_after_estimate": 1, "turned_away": 0}
    for row in rows[:-1]:
        offered = int(row["offered"])
        assert offered == sum(int(row[k]) for k in insights.FUNNEL[1:]), row
    assert {k: figures(html)[k] for k in insights.FUNNEL} == {
        k: int(total[k]) for k in insights.FUNNEL}


async def json_carries_the_page_with_small_cells_merged(admin: WebClient, html: str) -> None:
    status, text = await admin.get(f"/admin/insights.json?{PERIOD}")
    assert status == 200
    data = json.loads(text)
    assert {k: data["totals"][k] for k in TOTALS} == TOTALS
    assert all(cell["offered"] == cell["answered"] + cell["abandoned_before_estimate"]
               + cell["abandoned_after_estimate"] + cell["turned_away"]
               for cell in data["week_grid"])
    wrapups = data["wrapups"]
    assert (wrapups["submitted"], wrapups["skipped"]) == (3, 1)
    assert wrapups["not_serious_share"] == round(2 / 3, 4)
    assert wrapups["category"] == {insights.MERGED: 3}  # 1 school and 2 other: all below 5
    assert wrapups["ended"] == {insights.MERGED: 2}  # how it ended: a quick exit, a block
    assert data["ratings"]["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}
    assert data["ratings"]["mean"] == 3.5
    monday_10 = next(c for c in data["week_grid"] if (c["weekday"], c["hour"]) == (0, 10))
    assert monday_10["on_duty"] == 1.0 and monday_10["scheduled"] == 0.0
    assert [w["week"] for w in data["weeks"]] == ["2026-W45"] and "2026-W45" in html
    # Wrap-ups follow the period to the day, like the funnel (not the months it touches).
    for period, submitted, skipped in (("from=2026-11-02&to=2026-11-02", 1, 0),
                                       ("from=2026-11-03&to=2026-11-04", 0, 1),
                                       ("from=2026-11-01&to=2026-11-01", 0, 0)):
        status, text = await admin.get(f"/admin/insights.json?{period}")
        assert status == 200
        found = json.loads(text)["wrapups"]
        assert (found["submitted"], found["skipped"]) == (submitted, skipped), period


async def test_check_ins_show_as_counts_only_on_the_page_and_in_the_export(
    server: TestServer, base_url: str,
) -> None:
    answers = [{"feeling": "heavy", "stays_with_me": "yes"}] * 5 + [
        {"feeling": "good", "call_back": True}, {}]
    for n, answer in enumerate(answers):
        counselor = await make_counselor(server.app, base_url, f"vol-{n}", "counselor", 2)
        try:
            assert (await counselor.call("check_in", answer))["ok"]
        finally:
            await counselor.close()
    admin = await web_client(base_url, server.app, "beheer", "admin")
    try:
        status, html = await admin.get("/admin/insights?period=this_week")
        assert status == 200
        section = html[html.index('id="h-checkins"'):html.index('id="h-ratings"')]
        assert 'id="checkins-answered">7<' in section
        assert re.search(r"Zwaar</td><td>5<", section) and "Goed</td><td>&lt; 5<" in section
        assert "vol-" not in section  # never a counselor's name
        status, body = await admin.get("/admin/insights.json?period=this_week")
        data = json.loads(body)["check_ins"]
        assert data["answered"] == 7 and data["call_back"] == 1
        assert data["feeling"] == {"okay": 0, "heavy": 5, insights.MERGED: 1}
        assert data["stays"] == {"no": 0, "a_little": 0, "yes": 5}
    finally:
        await admin.close()


async def test_supervisors_see_insights_and_counselors_do_not(
    server: TestServer, base_url: str,
) -> None:
    for role, expected in (("supervisor", 200), ("counselor", 403)):
        client = await web_client(base_url, server.app, f"user-{role}", role)
        try:
            for path in ("/admin/insights", "/admin/insights.csv?from=2026-11-02&to=2026-11-02",
                         "/admin/insights.json?from=2026-11-02&to=2026-11-02",
                         "/admin/insights/chart.umd.min.js"):
                assert (await client.get(path))[0] == expected, (role, path)
        finally:
            await client.close()
    anonymous = await web_client(base_url)
    try:
        assert (await anonymous.get("/admin/insights"))[0] == 302
        assert (await anonymous.get("/admin/insights.csv"))[0] == 302
    finally:
        await anonymous.close()


async def test_a_period_that_makes_no_sense_is_refused_with_a_reason(
    server: TestServer, base_url: str,
) -> None:
    client = await web_client(base_url, server.app, "beheer", "admin")
    try:
        for query in ("from=2026-11-08&to=2026-11-02", "from=2026-13-01&to=2026-11-02",
                      "from=x&to=y", "from=2020-01-01&to=2026-11-02", "period=decade",
                      "period=month&month=2026-13", "from=2026-11-02"):
            status, html = await client.get(f"/admin/insights?{query}")
            assert status == 400 and 'class="form-problem"' in html, query
            status, body = await client.get(f"/admin/insights.csv?{query}")
            assert status == 400 and json.loads(body)["ok"] is False, query
    finally:
        await client.close()


# The only shapes an insights key or field may have: a day, a month or a minute in key names;
# an hour with a counter name, a histogram bucket or a day's sum in fields; integers as values.
DAY_KEY = re.compile(r"hc:ins:\d{4}-\d{2}-\d{2}")
HOURLY = "|".join((*insights.HOURLY, "samples", "duty_sum", "sched_sum"))
FIELD = re.compile(rf"\d{{2}}:({HOURLY})|(wait|dur|abandon|qans):\d{{1,3}}|dur_sum|rating:[1-5]")
WRAPUP_FIELD = re.compile(r"submitted|skipped|debrief|heavy|"
                          r"(category|age|outcome|ended|shed_seconds):[a-z0-9_]{1,40}")


async def test_insights_keys_hold_nothing_finer_than_an_hour_and_nothing_per_visitor(
    week: Week, redis_client: aioredis.Redis,
) -> None:
    seen = 0
    async for key in redis_client.scan_iter("hc:ins*"):
        seen += 1
        if key.startswith("hc:instick:"):
            assert re.fullmatch(r"hc:instick:\d+", key)
            assert 0 < await redis_client.ttl(key) <= 120
            continue
        assert DAY_KEY.fullmatch(key), key
        assert await redis_client.ttl(key) > 0
        for field, value in (await redis_client.hgetall(key)).items():
            assert FIELD.fullmatch(field), (key, field)
            assert re.fullmatch(r"\d+", value), (key, field, value)
    assert seen >= 5
    wrapup_days = 0
    async for key in redis_client.scan_iter("hc:wrapstats*"):
        wrapup_days += 1
        assert re.fullmatch(r"hc:wrapstats:\d{4}-\d{2}-\d{2}", key), key
        assert await redis_client.ttl(key) > 0
        for field, value in (await redis_client.hgetall(key)).items():
            assert WRAPUP_FIELD.fullmatch(field), (key, field)
            assert re.fullmatch(r"\d+", value), (key, field, value)
            assert not any(secret in field for secret in week.ids), field
    assert wrapup_days == 4  # Monday, Wednesday, Thursday and Friday
    async for key in redis_client.scan_iter("hc:feedback*"):
        assert re.fullmatch(r"hc:feedback:\d{4}-\d{2}", key)
        assert await redis_client.ttl(key) > 0
        assert await redis_client.lrange(key, 0, -1) == ["Fijn gesprek"]
    everything = []
    async for key in redis_client.scan_iter("hc:ins*"):
        if await redis_client.type(key) == "hash":
            everything.append(json.dumps(await redis_client.hgetall(key)))
    text = key_text = "\n".join(everything)
    key_text = "\n".join([k async for k in redis_client.scan_iter("hc:ins*")])
    for secret in week.ids + week.tokens:
        assert secret not in text and secret not in key_text


def test_periods_this_week_last_week_a_month_and_a_range_end_today_at_the_latest() -> None:
    thursday = date(2026, 11, 5)
    assert resolve_period({}, thursday) == ("this_week", date(2026, 11, 2), thursday)
    assert resolve_period({"period": "last_week"}, thursday) == (
        "last_week", date(2026, 10, 26), date(2026, 11, 1))
    assert resolve_period({"period": "month", "month": "2026-02"}, thursday) == (
        "month", date(2026, 2, 1), date(2026, 2, 28))
    assert resolve_period({"period": "month"}, thursday) == (
        "month", date(2026, 11, 1), thursday)
    assert resolve_period({"from": "2026-10-01", "to": "2026-12-31"}, thursday) == (
        "custom", date(2026, 10, 1), thursday)
    assert resolve_period({"from": "2027-01-01", "to": "2027-01-31"}, thursday)[2] == date(
        2027, 1, 31)
    with pytest.raises(PeriodError):
        resolve_period({"from": "2026-11-05"}, thursday)
