"""/admin/insights (admins and supervisors): the funnel, waits, coverage against demand,
wrap-ups and feedback for a period, and the same figures as CSV and JSON."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from helpchat import insights
from helpchat.config import PROJECT_ROOT
from helpchat.web.admin_common import Ctx, requires
from helpchat.web.console import json_for_script

CHART_JS = PROJECT_ROOT / "node_modules" / "chart.js" / "dist" / "chart.umd.min.js"
PERIODS = ("this_week", "last_week", "month", "custom")
# 25 months of retention plus a little: a year-on-year comparison fits in one request.
MAX_DAYS = 800
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH = re.compile(r"\d{4}-\d{2}")
CSV_COLUMNS = ("date", "hour", *insights.FUNNEL)

supervisors = requires("supervisor")


class PeriodError(ValueError):
    """The period asked for makes no sense; the message is a catalog key."""


def _parse_date(text: str, key: str) -> date:
    if not _DATE.fullmatch(text):
        raise PeriodError(key)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PeriodError(key) from None


def resolve_period(query: dict[str, str], today: date) -> tuple[str, date, date]:
    """(period name, first day, last day) from the page's query; PeriodError when invalid."""
    if query.get("from") or query.get("to"):
        first = _parse_date(query.get("from", ""), "admin.insights.error.from")
        last = _parse_date(query.get("to", ""), "admin.insights.error.to")
        kind = "custom"
    else:
        kind = query.get("period") or "this_week"
        if kind not in PERIODS:
            raise PeriodError("admin.insights.error.period")
        monday = today - timedelta(days=today.weekday())
        if kind == "last_week":
            first, last = monday - timedelta(days=7), monday - timedelta(days=1)
        elif kind == "month":
            month = query.get("month") or f"{today:%Y-%m}"
            if not _MONTH.fullmatch(month) or not 1 <= int(month[5:]) <= 12:
                raise PeriodError("admin.insights.error.month")
            first = date(int(month[:4]), int(month[5:]), 1)
            last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        elif kind == "custom":
            raise PeriodError("admin.insights.error.from")
        else:
            first, last = monday, monday + timedelta(days=6)
    if last < first:
        raise PeriodError("admin.insights.error.order")
    if first <= today < last:
        # Days still to come hold no counters; counting them would dilute the per-hour demand.
        last = today
    if (last - first).days + 1 > MAX_DAYS:
        raise PeriodError("admin.insights.error.too_long")
    return kind, first, last


def months_between(first: date, last: date) -> list[str]:
    months: list[str] = []
    day = first.replace(day=1)
    while day <= last:
        months.append(f"{day:%Y-%m}")
        day = (day + timedelta(days=32)).replace(day=1)
    return months


async def build_report(ctx: Ctx, first: date, last: date, merged: bool,
                       hour_rows: bool = True) -> dict[str, Any]:
    store = ctx.store
    settings = ctx.hub.settings
    days = await store.insights.days(first, last)
    months = months_between(first, last)
    wrapups = await store.wrapups.stats(first, last)
    # Check-ins stay per month: a day's answers could point at the one volunteer on duty.
    check_ins = {month: await store.wellbeing.check_in_stats(month) for month in months}
    comments = await store.insights.comments(months)
    data = insights.report(days, concurrency=settings.insights_concurrency, wrapups=wrapups,
                           check_ins=check_ins,
                           comments=[c for m in reversed(months) for c in comments[m]],
                           merged=merged, hour_rows=hour_rows)
    data["timezone"] = settings.timezone
    return data


def _today(ctx: Ctx) -> date:
    zone = ZoneInfo(ctx.hub.settings.timezone)
    return datetime.fromtimestamp(ctx.hub.now_ms() / 1000, UTC).astimezone(zone).date()


def _query(ctx: Ctx) -> dict[str, str]:
    return {k: v[:20] for k, v in ctx.request.query.items()}


# --- formatting for the page ---------------------------------------------------------------


def seconds_text(ctx: Ctx, seconds: int) -> str:
    """45 s, 2 min, 2:30 min, 1:15 h: exact (bucket edges are whole seconds) and short."""
    if seconds < 60:
        return ctx.t("admin.insights.unit.s", n=seconds)
    unit, size = ("min", 60) if seconds < 3600 else ("h", 3600)
    whole, rest = divmod(seconds, size)
    rest //= size // 60
    return ctx.t(f"admin.insights.unit.{unit}", n=f"{whole}:{rest:02d}" if rest else whole)


def _number(ctx: Ctx, value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if ctx.lang == "nl" else text


def number_text(ctx: Ctx, value: float | None) -> str:
    return "–" if value is None else _number(ctx, value)


def span_text(ctx: Ctx, found: list[int] | None) -> str:
    if not found:
        return "–"
    return ctx.t("admin.insights.span", lo=seconds_text(ctx, found[0]),
                 hi=seconds_text(ctx, found[1]))


def share_text(ctx: Ctx, value: float | None) -> str:
    return "–" if value is None else f"{_number(ctx, round(value * 100, 1))} %"


def cell_text(ctx: Ctx, value: int | None) -> str:
    return ctx.t("admin.insights.small") if value is None else str(value)


def heat_level(value: int, highest: int) -> int:
    """0..4 for the heat map's shading (the number itself is always written in the cell)."""
    if value <= 0 or highest <= 0:
        return 0
    return min(4, 1 + (4 * value - 1) // highest)


# --- handlers ------------------------------------------------------------------------------


@supervisors
async def page(ctx: Ctx) -> web.StreamResponse:
    query = _query(ctx)
    today = _today(ctx)
    try:
        kind, first, last = resolve_period(query, today)
    except PeriodError as exc:
        return ctx.render("admin/insights.html", status=400, problem=ctx.t(str(exc)),
                          data=None, query=query, kind=query.get("period", "custom"),
                          month=query.get("month", f"{today:%Y-%m}"))
    data = await build_report(ctx, first, last, merged=False, hour_rows=False)
    highest = max((row["unanswered"] for row in data["week_grid"]), default=0)
    chart = {
        "weeks": [{k: w[k] for k in ("week", *insights.FUNNEL)} for w in data["weeks"]],
        "wait": data["wait"]["buckets"], "grid": [
            {k: row[k] for k in ("weekday", "hour", "scheduled", "on_duty", "needed")}
            for row in data["week_grid"]],
        "labels": {key: ctx.t(f"admin.insights.{key}") for key in (
            "answered", "abandoned", "turned_away", "scheduled", "on_duty", "needed",
            "count", "chart.wait_x")},
        "weekdays": [ctx.t(f"admin.insights.weekday.{n}") for n in range(7)],
        "wait_labels": [span_text(ctx, [b["from_s"], b["to_s"]]) for b in data["wait"]["buckets"]],
    }
    return ctx.render(
        "admin/insights.html", data=data, query=query, kind=kind,
        month=query.get("month", f"{first:%Y-%m}"), first=first, last=last,
        span=lambda r: span_text(ctx, r), share=lambda v: share_text(ctx, v),
        num=lambda v: number_text(ctx, v),
        seconds=lambda s: seconds_text(ctx, s), cell=lambda v: cell_text(ctx, v),
        heat=lambda v: heat_level(v, highest), chart_json=json_for_script(chart),
        grid=_grid_rows(data["week_grid"]), problem=None,
        export=f"from={first.isoformat()}&to={last.isoformat()}",
    )


def _grid_rows(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    grid: list[list[dict[str, Any]]] = [[{} for _ in range(24)] for _ in range(7)]
    for row in rows:
        grid[row["weekday"]][row["hour"]] = row
    return grid


async def _export_data(ctx: Ctx) -> dict[str, Any] | web.Response:
    try:
        _, first, last = resolve_period(_query(ctx), _today(ctx))
    except PeriodError as exc:
        return web.json_response(
            {"ok": False, "error": {"code": "invalid", "message": ctx.t(str(exc))}}, status=400)
    return await build_report(ctx, first, last, merged=True)


@supervisors
async def export_csv(ctx: Ctx) -> web.StreamResponse:
    data = await _export_data(ctx)
    if isinstance(data, web.Response):
        return data
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in data["hours"]:
        writer.writerow([row["date"], row["hour"], *(row[name] for name in insights.FUNNEL)])
    writer.writerow(["total", "", *(data["totals"][name] for name in insights.FUNNEL)])
    name = f"insights-{data['from']}-{data['to']}.csv"
    return web.Response(text=out.getvalue(), content_type="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@supervisors
async def export_json(ctx: Ctx) -> web.StreamResponse:
    data = await _export_data(ctx)
    if isinstance(data, web.Response):
        return data
    response = web.json_response(data)
    response.headers["Cache-Control"] = "no-store"
    return response


@supervisors
async def chart_js(ctx: Ctx) -> web.StreamResponse:
    if not CHART_JS.exists():
        raise web.HTTPServiceUnavailable(text="Chart.js missing: run `npm ci`")
    return web.FileResponse(CHART_JS, headers={
        "Content-Type": "text/javascript", "Cache-Control": "public, max-age=3600"})


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/admin/insights", page)
    app.router.add_get("/admin/insights.csv", export_csv)
    app.router.add_get("/admin/insights.json", export_json)
    app.router.add_get("/admin/insights/chart.umd.min.js", chart_js)
