"""Seeding Insights with plausible demand through the store's own event-time hooks: evenings
busier than mornings, some hours short-staffed, a few wrap-ups and comments."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from helpchat.store import Store
from helpchat.store.wrapups import WrapUpForm

ZONE = ZoneInfo("Europe/Amsterdam")
OPEN_HOURS = range(14, 23)
COMMENTS = ("Fijn dat ik mijn verhaal kwijt kon.", "Ik moest lang wachten.",
            "Dank je, het hielp echt.")


def _ms(day: date, hour: int, minute: int, second: int = 0) -> int:
    return int(datetime(day.year, day.month, day.day, hour, minute, second,
                        tzinfo=ZONE).timestamp() * 1000)


async def seed_days(store: Store, first: date, days: int, seed: int = 11) -> dict[str, int]:
    """Counters for `days` days from `first`; returns the funnel totals it produced."""
    rng = random.Random(seed)
    totals = dict.fromkeys(("offered", "answered", "abandoned", "turned_away"), 0)
    counters = store.insights
    for n in range(days):
        day = first + timedelta(days=n)
        for hour in OPEN_HOURS:
            evening = hour >= 19
            arrivals = rng.randint(2, 6) if evening else rng.randint(0, 3)
            staff = 1 if evening and day.weekday() in (0, 4) else 2
            await counters.sample_duty(staff, 2, _ms(day, hour, 30))
            for _ in range(arrivals):
                at = _ms(day, hour, rng.randint(0, 59), rng.randint(0, 59))
                roll = rng.random()
                if roll < (0.25 if staff == 1 else 0.08):
                    await counters.turned_away(rng.choice(("no_counselor", "queue_full")), at)
                    totals["turned_away"] += 1
                    totals["offered"] += 1
                    continue
                await counters.offered(at)
                totals["offered"] += 1
                wait_ms = int(rng.expovariate(1 / (240 if staff == 1 else 60)) * 1000)
                if roll < 0.35:
                    await counters.abandoned(at, at + wait_ms, estimate_s=180)
                    totals["abandoned"] += 1
                    continue
                await counters.answered(at, at + wait_ms)
                totals["answered"] += 1
                duration = int(rng.lognormvariate(7.0, 0.5))
                await counters.chat_duration(duration, at + wait_ms + duration * 1000)
                if rng.random() < 0.3:
                    await counters.feedback(rng.randint(3, 5), rng.choice(COMMENTS)
                                            if rng.random() < 0.3 else None, at + 3_600_000)
    return totals


async def seed_wrapups(store: Store, month_ms: int, count: int, seed: int = 5) -> None:
    rng = random.Random(seed)
    for _ in range(count):
        wrap_id = await store.wrapups.open("0" * 32, month_ms)
        form = WrapUpForm(
            category=rng.choice(("home", "school", "friends", "feelings", "love")),
            age_band=rng.choice(("12_14", "15_17", "15_17", "18_23")),
            outcome=rng.choice(("listened", "listened", "advice", "referred", "not_serious")),
            debrief=rng.random() < 0.05)
        await store.wrapups.close("0" * 32, wrap_id, form, month_ms)
