"""Admin: the duty roster (week grid, weekly shifts, closed days, extra shifts, coverage)."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from aiohttp import web
from multidict import MultiDict, MultiDictProxy

from helpchat import duty_rules
from helpchat import roster as rosters
from helpchat import roster_signup as signup
from helpchat.roster import ClosedDay, ExtraShift, Occurrence, Roster, Shift
from helpchat.roster_signup import ShiftRequest
from helpchat.store.models import Counselor
from helpchat.web import admin_forms as forms
from helpchat.web.admin_common import Ctx, Errors, Msg, admin_only, reason_page
from helpchat.web.admin_grid import SLOTS, monday_of, week_grid

MAX_LABEL = 60
MAX_REASON = 100
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # audit entries only


@dataclasses.dataclass(frozen=True)
class Slot:
    start: time
    end: time
    counselor_ids: tuple[str, ...]
    label: str
    places: int = 0


def setup_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/admin/roster", roster_page)
    r.add_post("/admin/roster/shifts", add_shift)
    r.add_get("/admin/roster/shifts/{id}", edit_shift_page)
    r.add_post("/admin/roster/shifts/{id}", edit_shift)
    r.add_post("/admin/roster/shifts/{id}/delete", delete_shift)
    r.add_post("/admin/roster/closed", add_closed_day)
    r.add_post("/admin/roster/closed/{date}/delete", delete_closed_day)
    r.add_post("/admin/roster/extra", add_extra_shift)
    r.add_post("/admin/roster/extra/{id}/delete", delete_extra_shift)
    r.add_post("/admin/roster/copy", copy_week)


@dataclasses.dataclass(frozen=True)
class RequestRow:
    """A request as one counselor sees it: the runs (None when gone from the roster)."""

    request: ShiftRequest
    run: Occurrence | None
    theirs: Occurrence | None


def describe_run(occ: Occurrence | None, t: Callable[..., str], zone: Any) -> str:
    """"dinsdag 2026-12-08 18:00–22:00 Avond", as My shifts and the roster page show a run."""
    if occ is None:
        return t("admin.shifts.run_gone")
    start, end = occ.start.astimezone(zone), occ.end.astimezone(zone)
    label = f" {occ.label}" if occ.label else ""
    day = t(f"admin.weekday.{start.weekday()}")
    return f"{day} {start:%Y-%m-%d} {start:%H:%M}–{end:%H:%M}{label}"


def request_rows(roster: Roster, requests: Sequence[ShiftRequest]) -> list[RequestRow]:
    def theirs(r: ShiftRequest) -> Occurrence | None:
        return signup.run_of(roster, r.their_shift_id, r.their_day) if r.their_day else None

    return [RequestRow(r, signup.run_of(roster, r.shift_id, r.day), theirs(r)) for r in requests]


# --- reading ---------------------------------------------------------------------------------


def new_shift_id() -> str:
    return secrets.token_hex(4)


async def current_roster(ctx: Ctx) -> Roster:
    """The saved roster under the settings in force (an empty one when none is saved)."""
    saved = await ctx.store.roster.load() or Roster()
    settings = ctx.hub.settings
    return dataclasses.replace(saved, timezone=settings.timezone,
                               last_intake_minutes=settings.last_intake_minutes)


async def assignable(ctx: Ctx) -> list[Counselor]:
    return [c for c in await ctx.store.counselors.all() if not c.disabled]


def describe(slot: Slot, when: str, names: dict[str, str]) -> str:
    who = ", ".join(names.get(c, c) for c in slot.counselor_ids) or "-"
    label = f" {slot.label}" if slot.label else ""
    places = f"; {slot.places} open place(s)" if slot.places else ""
    return f"{when} {slot.start:%H:%M}-{slot.end:%H:%M}{label}; {who}{places}"


def audit_days(shift: Shift) -> str:
    since = f" from {shift.valid_from}" if shift.valid_from else ""
    return ",".join(DAY_NAMES[d] for d in shift.weekdays) + since


def days_text(days: tuple[int, ...], t: Callable[..., str]) -> str:
    """"maandag t/m vrijdag" for three or more days in a row, else the days listed."""
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = [t("admin.roster.days_through", first=t(f"admin.weekday.{run[0]}"),
               last=t(f"admin.weekday.{run[-1]}")) if len(run) >= 3
             else ", ".join(t(f"admin.weekday.{d}") for d in run) for run in runs]
    return ", ".join(parts)


def week_param(ctx: Ctx, roster: Roster) -> date:
    value = ctx.request.query.get("week", "")
    errors: Errors = {}
    chosen = forms.iso_date(errors, "week", value) if value else None
    today = datetime.fromtimestamp(ctx.hub.now_ms() / 1000, roster.zone).date()
    return monday_of(chosen or today)


def minimum_param(ctx: Ctx) -> int:
    value = ctx.request.query.get("min", "1")
    return int(value) if value.isdigit() and 1 <= int(value) <= 20 else 1


async def page_context(ctx: Ctx) -> dict[str, Any]:
    roster = await current_roster(ctx)
    everyone = await ctx.store.counselors.all()
    names = {c.id: c.name for c in everyone}
    week, minimum = week_param(ctx, roster), minimum_param(ctx)
    now = duty_rules.instant(ctx.hub.now_ms())
    status = duty_rules.roster_status(None if roster.is_empty else roster, now)
    return {
        "roster": roster, "names": names, "week": week, "minimum": minimum,
        "prev_week": week - timedelta(days=7), "next_week": week + timedelta(days=7),
        "days": week_grid(roster, week, names, minimum),
        "gaps": rosters.coverage_gaps(roster, week, minimum), "slots": SLOTS,
        "double": [(names.get(c, "?"), a, b) for c, a, b in rosters.double_booked(roster, week)],
        "shifts": sorted(roster.shifts, key=lambda s: (s.weekdays, s.start, s.id)),
        "days_of": lambda shift: days_text(shift.weekdays, ctx.t),
        "closed_days": sorted(roster.closed_days, key=lambda c: c.date),
        "extra_shifts": sorted(roster.extra_shifts, key=lambda x: (x.date, x.start)),
        "counselors": [c for c in everyone if not c.disabled],
        "roster_status": status, "today": now.astimezone(roster.zone).date(),
        "approvals": request_rows(roster, [r for r in await ctx.store.roster.requests()
                                           if r.status == "pending"]),
        "describe": lambda occ: describe_run(occ, ctx.t, roster.zone),
        "who": lambda ids: ", ".join(sorted((names.get(i, "?") for i in ids), key=str.lower))
        or ctx.t("admin.roster.nobody"),
    }


@admin_only
async def roster_page(ctx: Ctx) -> web.StreamResponse:
    return await show(ctx)


async def show(ctx: Ctx, errors: Errors | None = None, failed: str = "",
               values: MultiDictProxy[str] | None = None) -> web.Response:
    """The roster page; after a refused form, that form shows its values and errors."""
    context = await page_context(ctx)
    return ctx.render("admin/roster.html", errors=errors, failed=failed,
                      values=values or MultiDictProxy(MultiDict()), **context)


# --- parsing ---------------------------------------------------------------------------------


def valid_from(ctx: Ctx, errors: Errors) -> date | None:
    """The optional first day of a weekly shift; empty means it was always there."""
    value = ctx.text("valid_from", 10)
    return forms.iso_date(errors, "shift.valid_from", value) if value else None


def parse_slot(ctx: Ctx, errors: Errors, prefix: str, allowed: set[str]) -> Slot | None:
    form = ctx.form
    times = forms.shift_times(errors, prefix, ctx.text("start", 5), ctx.text("end", 5))
    ids = forms.chosen_ids(errors, f"{prefix}counselors", form.getall("counselors", []), allowed)
    label = forms.text(errors, f"{prefix}label", ctx.text("label", MAX_LABEL), MAX_LABEL)
    places = forms.integer(errors, f"{prefix}places", ctx.text("places", 3) or "0", 0,
                           rosters.MAX_PLACES)
    if times is None or errors:
        return None
    return Slot(times[0], times[1], ids, label, places)


async def save(ctx: Ctx, change: Callable[[Roster], Roster]) -> str | None:
    """Apply the change; the reason when the roster refuses it (nothing saved then)."""
    try:
        await ctx.store.roster.update(lambda roster: (change(roster), None))
    except ValueError as exc:
        return str(exc)
    await ctx.hub.pushes.push_availability()
    return None


def back(ctx: Ctx, notice: str) -> web.HTTPSeeOther:
    week = ctx.form.get("week") or ""
    return ctx.redirect("/admin/roster", notice, **({"week": week} if week else {}))


# --- weekly shifts ---------------------------------------------------------------------------


@admin_only
async def add_shift(ctx: Ctx) -> web.StreamResponse:
    counselors = await assignable(ctx)
    errors: Errors = {}
    days = forms.weekdays(errors, "shift.weekday", ctx.form.getall("weekday", []))
    since = valid_from(ctx, errors)
    slot = parse_slot(ctx, errors, "shift.", {c.id for c in counselors})
    if slot is None or errors:
        return await show(ctx, errors, "shift", ctx.form)
    new = Shift(new_shift_id(), tuple(days), slot.start, slot.end, slot.counselor_ids,
                slot.label, since, slot.places)
    if reason := await save(ctx, lambda r: dataclasses.replace(r, shifts=(*r.shifts, new))):
        return await show(ctx, {"shift.start": Msg("admin.error.refused", {"reason": reason})},
                          "shift", ctx.form)
    names = {c.id: c.name for c in counselors}
    when = audit_days(new)
    await ctx.audit("roster.shift_added", slot.label or when, describe(slot, when, names))
    raise back(ctx, "shift_added")


def find_shift(roster: Roster, shift_id: str) -> Shift | None:
    return next((s for s in roster.shifts if s.id == shift_id), None)


@admin_only
async def edit_shift_page(ctx: Ctx) -> web.StreamResponse:
    shift = find_shift(await current_roster(ctx), ctx.request.match_info["id"])
    if shift is None:
        return reason_page(ctx.request, 404, "admin.roster.not_found", ctx.lang)
    values = MultiDict([("start", f"{shift.start:%H:%M}"),
                        ("end", f"{shift.end:%H:%M}"), ("label", shift.label),
                        ("valid_from", shift.valid_from.isoformat() if shift.valid_from else ""),
                        ("places", str(shift.places))])
    values.extend(("weekday", str(d)) for d in shift.weekdays)
    values.extend(("counselors", c) for c in shift.counselor_ids)
    return await edit_form(ctx, shift, MultiDictProxy(values))


async def edit_form(ctx: Ctx, shift: Shift, values: MultiDictProxy[str],
                    errors: Errors | None = None) -> web.Response:
    return ctx.render("admin/shift_edit.html", errors=errors, shift=shift, values=values,
                      counselors=await assignable(ctx), failed="shift")


@admin_only
async def edit_shift(ctx: Ctx) -> web.StreamResponse:
    shift_id = ctx.request.match_info["id"]
    shift = find_shift(await current_roster(ctx), shift_id)
    if shift is None:
        return reason_page(ctx.request, 404, "admin.roster.not_found", ctx.lang)
    counselors = await assignable(ctx)
    errors: Errors = {}
    days = forms.weekdays(errors, "shift.weekday", ctx.form.getall("weekday", []))
    since = valid_from(ctx, errors)
    # Keep people who are disabled meanwhile only if they were on the shift already.
    allowed = {c.id for c in counselors} | set(shift.counselor_ids)
    slot = parse_slot(ctx, errors, "shift.", allowed)
    if slot is None or errors:
        return await edit_form(ctx, shift, ctx.form, errors)
    updated = Shift(shift_id, tuple(days), slot.start, slot.end, slot.counselor_ids, slot.label,
                    since, slot.places)
    reason = await save(ctx, lambda r: replace_shift(r, updated))
    if reason:
        return await edit_form(ctx, shift, ctx.form,
                               {"shift.start": Msg("admin.error.refused", {"reason": reason})})
    names = {c.id: c.name for c in await ctx.store.counselors.all()}
    when = audit_days(updated)
    await ctx.audit("roster.shift_changed", slot.label or when, describe(slot, when, names))
    raise ctx.redirect("/admin/roster", "shift_changed")


def replace_shift(roster: Roster, updated: Shift) -> Roster:
    if find_shift(roster, updated.id) is None:
        raise ValueError("the shift was removed meanwhile")
    shifts = tuple(updated if s.id == updated.id else s for s in roster.shifts)
    return dataclasses.replace(roster, shifts=shifts)


def without_shift(roster: Roster, shift_id: str) -> Roster:
    return dataclasses.replace(roster, shifts=tuple(s for s in roster.shifts if s.id != shift_id))


@admin_only
async def delete_shift(ctx: Ctx) -> web.StreamResponse:
    shift = find_shift(await current_roster(ctx), ctx.request.match_info["id"])
    if shift is None:
        return reason_page(ctx.request, 404, "admin.roster.not_found", ctx.lang)
    await save(ctx, lambda r: without_shift(r, shift.id))
    slot = Slot(shift.start, shift.end, shift.counselor_ids, shift.label, shift.places)
    names = {c.id: c.name for c in await ctx.store.counselors.all()}
    when = audit_days(shift)
    await ctx.audit("roster.shift_removed", shift.label or when, describe(slot, when, names))
    raise back(ctx, "shift_removed")


# --- closed days -----------------------------------------------------------------------------


def add_closed(roster: Roster, day: ClosedDay) -> Roster:
    if any(c.date == day.date for c in roster.closed_days):
        raise ValueError("duplicate")
    return dataclasses.replace(roster, closed_days=(*roster.closed_days, day))


@admin_only
async def add_closed_day(ctx: Ctx) -> web.StreamResponse:
    errors: Errors = {}
    day = forms.iso_date(errors, "closed.date", ctx.text("date", 10))
    reason = forms.text(errors, "closed.reason", ctx.text("reason", MAX_REASON), MAX_REASON)
    if day is None or errors:
        return await show(ctx, errors, "closed", ctx.form)
    if await save(ctx, lambda r: add_closed(r, ClosedDay(day, reason))):
        return await show(ctx, {"closed.date": Msg("admin.roster.error.closed_exists")},
                          "closed", ctx.form)
    await ctx.audit("roster.closed_day_added", day.isoformat(), reason)
    raise back(ctx, "closed_added")


@admin_only
async def delete_closed_day(ctx: Ctx) -> web.StreamResponse:
    errors: Errors = {}
    day = forms.iso_date(errors, "date", ctx.request.match_info["date"])
    roster = await current_roster(ctx)
    if day is None or all(c.date != day for c in roster.closed_days):
        return reason_page(ctx.request, 404, "admin.roster.not_found", ctx.lang)
    await save(ctx, lambda r: dataclasses.replace(
        r, closed_days=tuple(c for c in r.closed_days if c.date != day)))
    await ctx.audit("roster.closed_day_removed", day.isoformat())
    raise back(ctx, "closed_removed")


# --- extra shifts ----------------------------------------------------------------------------


@admin_only
async def add_extra_shift(ctx: Ctx) -> web.StreamResponse:
    counselors = await assignable(ctx)
    errors: Errors = {}
    day = forms.iso_date(errors, "extra.date", ctx.text("date", 10))
    slot = parse_slot(ctx, errors, "extra.", {c.id for c in counselors})
    if day is None or slot is None or errors:
        return await show(ctx, errors, "extra", ctx.form)
    extra = ExtraShift(new_shift_id(), day, slot.start, slot.end, slot.counselor_ids, slot.label,
                       slot.places)
    reason = await save(ctx, lambda r: dataclasses.replace(
        r, extra_shifts=(*r.extra_shifts, extra)))
    if reason:
        return await show(ctx, {"extra.start": Msg("admin.error.refused", {"reason": reason})},
                          "extra", ctx.form)
    names = {c.id: c.name for c in counselors}
    await ctx.audit("roster.extra_shift_added", slot.label or day.isoformat(),
                    describe(slot, day.isoformat(), names))
    raise back(ctx, "extra_added")


@admin_only
async def delete_extra_shift(ctx: Ctx) -> web.StreamResponse:
    extra_id = ctx.request.match_info["id"]
    roster = await current_roster(ctx)
    extra = next((x for x in roster.extra_shifts if x.id == extra_id), None)
    if extra is None:
        return reason_page(ctx.request, 404, "admin.roster.not_found", ctx.lang)
    await save(ctx, lambda r: dataclasses.replace(
        r, extra_shifts=tuple(x for x in r.extra_shifts if x.id != extra_id)))
    await ctx.audit("roster.extra_shift_removed", extra.label or extra.date.isoformat(),
                    f"{extra.date} {extra.start:%H:%M}-{extra.end:%H:%M}")
    raise back(ctx, "extra_removed")


@admin_only
async def copy_week(ctx: Ctx) -> web.StreamResponse:
    """The week's extra shifts onto the same weekdays of the next N weeks (weekly shifts
    repeat by themselves)."""
    errors: Errors = {}
    week = forms.iso_date(errors, "copy.weeks", ctx.text("week", 10))
    weeks = forms.integer(errors, "copy.weeks", ctx.text("weeks", 3), 1, rosters.MAX_COPY_WEEKS)
    if week is None or errors:
        return await show(ctx, errors, "copy", ctx.form)
    week = monday_of(week)
    try:
        added = await ctx.store.roster.update(
            lambda r: rosters.copy_week(r, week, weeks, new_shift_id))
    except ValueError as exc:
        return await show(ctx, {"copy.weeks": Msg("admin.error.refused", {"reason": str(exc)})},
                          "copy", ctx.form)
    if not added:
        raise back(ctx, "week_copied_none")
    await ctx.hub.pushes.push_availability()
    await ctx.audit("roster.week_copied", week.isoformat(),
                    f"{added} extra shift(s) to the next {weeks} week(s)")
    raise back(ctx, "week_copied")
