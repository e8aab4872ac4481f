"""Volunteers sign up themselves (issue 14, point 10), through the pages people use: the admin
opens places on a shift, a counselor claims one on My shifts; a give-away a colleague takes
over and an admin approves; a swap the colleague accepts. Each change shows on My shifts and
in the iCal feed. Chromium at 1280x800 and 375x667, axe clean, screenshots."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.async_api import Page, expect

from helpchat.roster import Roster, Shift, validate_shift_times
from helpchat.store import Store
from tests.e2e.conftest import LiveServer, snap
from tests.e2e.test_admin import Login, logged_in  # noqa: F401 - the fixture
from tests.e2e.test_admin_roster_multiday import feed_days
from tests.e2e.test_widget import assert_accessible
from tests.roster_helpers import local_now

IN_TWO_DAYS = (local_now() + timedelta(days=2)).date()


async def counselor(login: Login, store: Store, name: str) -> tuple[Page, str]:
    """A counselor's My shifts page, with a display name colleagues see; and the account id."""
    page = await login(name, "counselor", start="/shifts/")
    account = await store.counselors.by_name(name)
    assert account is not None
    await store.counselors.set_display_name(account.id, name.capitalize())
    await page.reload()
    return page, account.id


async def evenings(store: Store, **who: tuple[str, ...]) -> None:
    """Weekly shifts every day, named by `who`'s keys: evening 18-22, morning 09-12."""
    times = {"evening": ("18:00", "22:00"), "morning": ("09:00", "12:00")}

    def put(roster: Roster) -> tuple[Roster, None]:
        shifts = tuple(Shift(name, tuple(range(7)), *validate_shift_times(*times[name]), people,
                             name.capitalize()) for name, people in who.items())
        return Roster(shifts=shifts), None

    await store.roster.update(put)


def day_text(day: date) -> str:
    names = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
    return f"{names[day.weekday()]} {day.isoformat()}"


async def test_a_counselor_claims_the_open_place_the_admin_added(
    logged_in: Login, live_server: LiveServer, live_store: Store,  # noqa: F811
) -> None:
    admin = await logged_in(start="/admin/roster")
    anna, anna_id = await counselor(logged_in, live_store, "anna")
    bert, _ = await counselor(logged_in, live_store, "bert")

    form = admin.locator("#extra-shifts form", has_text="Extra dienst toevoegen")
    await form.get_by_label("Datum").fill(IN_TWO_DAYS.isoformat())
    await form.get_by_label("Begin").fill("10:00")
    await form.get_by_label("Einde").fill("14:00")
    await form.get_by_label("Omschrijving").fill("Markt")
    await form.get_by_label("Open plekken").fill("1")
    await form.get_by_role("button", name="Extra dienst toevoegen").click()
    await expect(admin.get_by_role("status")).to_have_text("Extra dienst toegevoegd.")
    await admin.goto(f"{live_server.url}/admin/roster?week={IN_TWO_DAYS}")
    await expect(admin.locator(".wg-shift.extra .wg-open")).to_have_text("open: 1")

    await anna.reload()
    await bert.reload()
    place = anna.locator("#open-places li")
    await expect(place).to_contain_text(f"{day_text(IN_TWO_DAYS)} 10:00–14:00 Markt")
    await expect(place).to_contain_text("vrije plekken: 1")
    await assert_accessible(anna)
    await snap(anna, "14-10-my-shifts-open-place")
    await place.get_by_role("button", name="Inschrijven").click()
    await expect(anna.get_by_role("status")).to_have_text("Je bent ingeschreven.")
    await expect(anna.locator("#my-runs tbody tr")).to_contain_text("Markt")
    await expect(anna.locator("#open-places")).to_contain_text("geen open plekken")
    await assert_accessible(anna)
    await snap(anna, "14-10-my-shifts-claimed")
    assert IN_TWO_DAYS in await feed_days(live_server, live_store, anna_id)

    # Full now: Bert, whose page still offers it, is told so.
    await bert.locator("#open-places li").get_by_role("button", name="Inschrijven").click()
    await expect(bert.get_by_role("alert")).to_have_text(
        "Die dienst is vol: er is geen plek meer vrij.")
    await assert_accessible(bert)
    await admin.reload()
    await expect(admin.locator(".wg-shift.extra .wg-names")).to_have_text("anna")  # login name
    await expect(admin.locator(".wg-shift.extra .wg-open")).to_have_count(0)


async def test_a_give_away_taken_over_waits_for_the_admins_approval(
    logged_in: Login, live_server: LiveServer, live_store: Store,  # noqa: F811
) -> None:
    admin = await logged_in(start="/admin/settings")
    anna, anna_id = await counselor(logged_in, live_store, "anna")
    bert, bert_id = await counselor(logged_in, live_store, "bert")
    await admin.get_by_label("Ruilen en overnemen van diensten na goedkeuring").check()
    await admin.get_by_role("button", name="Opslaan").click()
    await expect(admin.get_by_role("status")).to_have_text("Opgeslagen.")
    await evenings(live_store, evening=(anna_id,))

    await anna.reload()
    row = anna.locator("#my-runs tbody tr", has_text=day_text(IN_TWO_DAYS))
    await row.get_by_role("button", name="Weggeven").click()
    await expect(anna.get_by_role("status")).to_have_text(
        "Je dienst is aangeboden aan je collega's.")
    await expect(row.locator(".badge")).to_have_text("aangeboden")
    await expect(anna.locator("#my-requests li")).to_contain_text("wacht op een collega")

    await bert.reload()
    offer = bert.locator("#offers li")
    await expect(offer).to_have_text(f"Anna biedt {day_text(IN_TWO_DAYS)} 18:00–22:00 Evening "
                                     "aan. Overnemen")
    await offer.get_by_role("button", name="Overnemen").click()
    await expect(bert.get_by_role("status")).to_have_text(
        "Geaccepteerd; een beheerder keurt het nog goed.")
    await assert_accessible(bert)

    await admin.goto(f"{live_server.url}/admin/roster")
    waiting = admin.locator("#approvals li")
    await expect(waiting).to_contain_text(
        f"bert neemt {day_text(IN_TWO_DAYS)} 18:00–22:00 Evening over van anna.")  # login names
    await assert_accessible(admin)
    await waiting.scroll_into_view_if_needed()
    await snap(admin, "14-10-roster-approval")
    assert IN_TWO_DAYS not in await feed_days(live_server, live_store, bert_id)
    await waiting.get_by_role("button", name="Goedkeuren").click()
    await expect(admin.get_by_role("status")).to_have_text(
        "Goedgekeurd: het rooster is bijgewerkt.")
    await expect(admin.locator("#approvals")).to_contain_text("Er wachten geen")

    await anna.goto(f"{live_server.url}/shifts/")
    await expect(anna.locator("#my-requests li")).to_contain_text("geregeld met Bert")
    await expect(anna.locator("#my-runs")).not_to_contain_text(day_text(IN_TWO_DAYS))
    await assert_accessible(anna)
    await snap(anna, "14-10-my-shifts-given-away")
    assert IN_TWO_DAYS in await feed_days(live_server, live_store, bert_id)
    assert IN_TWO_DAYS not in await feed_days(live_server, live_store, anna_id)


async def test_a_swap_the_colleague_accepts_trades_the_two_runs(
    logged_in: Login, live_server: LiveServer, live_store: Store,  # noqa: F811
) -> None:
    anna, anna_id = await counselor(logged_in, live_store, "anna")
    bert, bert_id = await counselor(logged_in, live_store, "bert")
    await evenings(live_store, evening=(anna_id,), morning=(bert_id,))
    later = IN_TWO_DAYS + timedelta(days=1)

    await anna.reload()
    swap = anna.locator("#swap-form")
    await swap.get_by_label("Jouw dienst").select_option(
        label=f"{day_text(IN_TWO_DAYS)} 18:00–22:00 Evening")
    await swap.get_by_label("Dienst van een collega").select_option(
        label=f"{day_text(later)} 09:00–12:00 Morning · Bert")
    await assert_accessible(anna)
    await swap.scroll_into_view_if_needed()
    await snap(anna, "14-10-my-shifts-swap-form")
    await swap.get_by_role("button", name="Ruil voorstellen").click()
    await expect(anna.get_by_role("status")).to_have_text("Je ruilvoorstel is verstuurd.")

    await bert.reload()
    offer = bert.locator("#offers li")
    await expect(offer).to_contain_text("Anna wil")
    await assert_accessible(bert)
    await offer.scroll_into_view_if_needed()
    await snap(bert, "14-10-my-shifts-swap-offer")
    await offer.get_by_role("button", name="Ruil accepteren").click()
    await expect(bert.get_by_role("status")).to_have_text("Geregeld: het rooster is bijgewerkt.")
    # That day Bert keeps his own morning and works Anna's evening.
    that_day = bert.locator("#my-runs tbody tr", has_text=day_text(IN_TWO_DAYS))
    await expect(that_day).to_have_count(2)
    await expect(that_day.nth(1).locator("td").nth(2)).to_have_text("Evening")

    await anna.reload()
    next_day = anna.locator("#my-runs tbody tr", has_text=day_text(later))
    await expect(next_day).to_have_count(2)  # Bert's morning and her own evening
    await expect(next_day.first.locator("td").nth(2)).to_have_text("Morning")
    await expect(anna.locator("#my-runs tbody tr", has_text=day_text(IN_TWO_DAYS))
                 ).to_have_count(0)
    assert later in await feed_days(live_server, live_store, anna_id)
    assert IN_TWO_DAYS in await feed_days(live_server, live_store, bert_id)
