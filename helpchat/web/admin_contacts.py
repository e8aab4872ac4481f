"""Admin: emergency contacts per language (ordered), with a preview as the widget shows them,
and the canned responses of the console."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from helpchat import contact_hours, widget_texts
from helpchat.i18n import LANGUAGES, translate
from helpchat.store.canned import MAX_CHARS as CANNED_MAX_CHARS
from helpchat.store.canned import MAX_ITEMS as CANNED_MAX_ITEMS
from helpchat.web import admin_forms as forms
from helpchat.web.admin_common import Ctx, Errors, Msg, NotFound, admin_only, reason_page

LIMITS = {"name": 100, "text": 200, "hours": 100, "description": 500}
Contact = dict[str, Any]


def setup_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/admin/contacts", contacts_page)
    r.add_post("/admin/contacts/{lang}", add_contact)
    r.add_get("/admin/contacts/{lang}/preview", preview)
    r.add_get("/admin/contacts/{lang}/{id}", edit_page)
    r.add_post("/admin/contacts/{lang}/{id}", edit_contact)
    r.add_post("/admin/contacts/{lang}/{id}/delete", delete_contact)
    r.add_post("/admin/contacts/{lang}/{id}/move", move_contact)
    r.add_get("/admin/canned", canned_page)
    r.add_post("/admin/canned/{lang}", save_canned)


def parse_contact(ctx: Ctx) -> tuple[Contact, Errors]:
    """The form as a Contact (PROTOCOL.md fields), and what is wrong with it."""
    errors: Errors = {}
    contact: Contact = {
        name: forms.text(errors, name, ctx.text(name, limit), limit, required=name == "name")
        or None for name, limit in LIMITS.items()
    }
    contact["phone"] = forms.phone(errors, "phone", ctx.text("phone", 30))
    contact["url"] = forms.https_url(errors, "url", ctx.text("url", 300))
    contact["urgent"] = ctx.form.get("urgent") == "on"
    try:
        contact["open"] = contact_hours.from_form(
            ctx.text("open_mode", 10) or "unknown", ctx.form.getall("open_days", []),
            ctx.text("open_from", 5), ctx.text("open_to", 5))
    except ValueError as exc:
        field = str(exc).split(":", 1)[0]
        errors[field] = Msg("admin.contacts.error." + field)
    if not errors and not (contact["phone"] or contact["url"] or contact["text"]):
        errors["phone"] = Msg("admin.contacts.error.reachable")
    return contact, errors


def language(ctx: Ctx, value: str | None) -> str | None:
    return value if value in LANGUAGES else None


async def show(ctx: Ctx, lang: str, errors: Errors | None = None,
               values: Any = None, editing: Contact | None = None) -> web.Response:
    entries = await ctx.store.contacts.entries(lang)
    template = "admin/contact_edit.html" if editing else "admin/contacts.html"
    lists = {code: await ctx.store.contacts.list(code) for code in LANGUAGES}
    return ctx.render(template, errors=errors, values=values or {}, contacts=entries,
                      current=lang, languages=LANGUAGES, editing=editing,
                      gaps=widget_texts.contact_gaps(lists))


@admin_only
async def contacts_page(ctx: Ctx) -> web.StreamResponse:
    lang = language(ctx, ctx.request.query.get("list")) or ctx.hub.settings.default_language
    return await show(ctx, lang)


def path_lang(ctx: Ctx) -> str | None:
    return language(ctx, ctx.request.match_info["lang"])


async def changed(ctx: Ctx, lang: str, action: str, name: str, notice: str) -> web.HTTPSeeOther:
    await ctx.audit(f"contacts.{action}", f"{name} ({lang})")
    await ctx.hub.pushes.push_availability()  # open widgets show the new list at once
    return ctx.redirect("/admin/contacts", notice, list=lang)


@admin_only
async def add_contact(ctx: Ctx) -> web.StreamResponse:
    lang = path_lang(ctx)
    if lang is None:
        return reason_page(ctx.request, 404, "admin.contacts.not_found", ctx.lang)
    contact, errors = parse_contact(ctx)
    if errors:
        return await show(ctx, lang, errors, ctx.form)
    try:
        await ctx.store.contacts.update(lang, lambda items: ([*items, contact], None))
    except ValueError:
        return await show(ctx, lang, {"name": Msg("admin.contacts.error.too_many")}, ctx.form)
    raise await changed(ctx, lang, "added", contact["name"], "contact_added")


def missing() -> NotFound:
    return NotFound("admin.contacts.not_found")


async def find(ctx: Ctx) -> tuple[str, Contact]:
    lang = path_lang(ctx)
    wanted = ctx.request.match_info["id"]
    entries = await ctx.store.contacts.entries(lang) if lang else []
    entry = next((c for c in entries if c["id"] == wanted), None)
    if lang is None or entry is None:
        raise missing()
    return lang, entry


@admin_only
async def edit_page(ctx: Ctx) -> web.StreamResponse:
    lang, entry = await find(ctx)
    values = {k: ("on" if v is True else v or "") for k, v in entry.items()
              if v is not False and k != "open"}
    values.update(contact_hours.form_values(entry.get("open")))
    return await show(ctx, lang, values=values, editing=entry)


def replaced(items: list[Contact], contact_id: str, new: Contact) -> list[Contact]:
    if all(c["id"] != contact_id for c in items):
        raise LookupError(contact_id)
    return [{**new, "id": contact_id} if c["id"] == contact_id else c for c in items]


@admin_only
async def edit_contact(ctx: Ctx) -> web.StreamResponse:
    lang, entry = await find(ctx)
    contact, errors = parse_contact(ctx)
    if errors:
        return await show(ctx, lang, errors, ctx.form, editing=entry)
    try:
        await ctx.store.contacts.update(lang, lambda items: (
            replaced(items, entry["id"], contact), None))
    except LookupError:
        raise missing() from None
    raise await changed(ctx, lang, "changed", contact["name"], "contact_changed")


@admin_only
async def delete_contact(ctx: Ctx) -> web.StreamResponse:
    lang, entry = await find(ctx)
    try:
        await ctx.store.contacts.update(lang, lambda items: (
            [c for c in items if c["id"] != entry["id"]], None))
    except ValueError:
        return await show(ctx, lang, {"list": Msg("admin.contacts.error.last")})
    raise await changed(ctx, lang, "removed", entry["name"], "contact_removed")


def moved(items: list[Contact], contact_id: str, step: int) -> list[Contact]:
    index = next((n for n, c in enumerate(items) if c["id"] == contact_id), None)
    if index is None:
        raise LookupError(contact_id)
    other = index + step
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    return items


@admin_only
async def move_contact(ctx: Ctx) -> web.StreamResponse:
    lang, entry = await find(ctx)
    step = -1 if ctx.form.get("direction") == "up" else 1
    try:
        await ctx.store.contacts.update(lang, lambda items: (moved(items, entry["id"], step),
                                                             None))
    except LookupError:
        raise missing() from None
    raise await changed(ctx, lang, "moved", entry["name"], "contact_moved")


@admin_only
async def preview(ctx: Ctx) -> web.StreamResponse:
    """The contacts as the widget's "not available" view shows them (framed by the contacts
    page, so this one page may be framed by our own origin)."""
    lang = path_lang(ctx)
    if lang is None:
        raise missing()
    contacts = await ctx.store.contacts.list(lang)
    # The widget puts acute-danger contacts first, otherwise keeps the configured order.
    ordered = sorted(contacts, key=lambda c: not c["urgent"])
    response = ctx.render("admin/contacts_preview.html", contacts=ordered, preview_lang=lang,
                          wt=lambda key, **p: widget_text(lang, key, **p))
    response.headers["Content-Security-Policy"] = response.headers[
        "Content-Security-Policy"].replace("frame-ancestors 'none'", "frame-ancestors 'self'")
    return response


def widget_text(lang: str, key: str, **params: Any) -> str:
    """The widget's own wording when its catalog has it, so the preview reads the same."""
    text = translate(lang, f"widget.{key}", **params)
    return text if text != f"widget.{key}" else translate(lang, f"admin.preview.{key}", **params)


# --- canned responses ------------------------------------------------------------------------


@admin_only
async def canned_page(ctx: Ctx) -> web.StreamResponse:
    lang = language(ctx, ctx.request.query.get("list")) or ctx.hub.settings.default_language
    items = await ctx.store.canned.list(lang)
    return ctx.render("admin/canned.html", current=lang, languages=LANGUAGES,
                      values={"items": "\n".join(items)}, count=len(items))


@admin_only
async def save_canned(ctx: Ctx) -> web.StreamResponse:
    lang = path_lang(ctx)
    if lang is None:
        raise missing()
    items = forms.lines(ctx.form.get("items") or "")
    if len(items) > CANNED_MAX_ITEMS or any(len(i) > CANNED_MAX_CHARS for i in items):
        errors: Errors = {"items": Msg("admin.canned.error.limits", {
            "max": CANNED_MAX_ITEMS, "chars": CANNED_MAX_CHARS})}
        return ctx.render("admin/canned.html", errors=errors, current=lang,
                          languages=LANGUAGES, values=ctx.form, count=len(items))
    await ctx.store.canned.replace(lang, items)
    await ctx.audit("canned.changed", lang, f"{len(items)} responses")
    raise ctx.redirect("/admin/canned", "saved", list=lang)
