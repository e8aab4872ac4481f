"""My account -> two-factor login (supervisors and admins): set it up with a QR code (or the
secret typed by hand), confirm with a first code, then get ten recovery codes, shown once.
With it on: how many recovery codes are left, new ones, and turning it off (both need a
current code; turning off is not offered to an admin while it is required). An admin's reset
of someone else's factor lives with the counselor admin pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web

from helpchat import two_factor
from helpchat.errors import HelpchatError
from helpchat.web import auth
from helpchat.web.admin_common import Ctx, Msg, enrolling, reason_page
from helpchat.web.login import safe_next

PAGE = "/account/two-factor"
ISSUER = "helpchat"


def setup_routes(app: web.Application) -> None:
    app.router.add_get(PAGE, page)
    app.router.add_post(PAGE, confirm)
    app.router.add_post(f"{PAGE}/recovery-codes", new_recovery_codes)
    app.router.add_post(f"{PAGE}/off", turn_off)


def _refused(ctx: Ctx) -> web.Response:
    return reason_page(ctx.request, 403, "admin.two_factor.not_offered", ctx.lang)


def _next(ctx: Ctx) -> str:
    default = "/admin/" if ctx.me.has_role("admin") else "/console/"
    wanted = ctx.form.get("next") or ctx.request.query.get("next")
    return safe_next(wanted) if wanted else default


async def _enrol_page(ctx: Ctx, secret: str, error: Msg | None = None) -> web.Response:
    issuer = f"{ISSUER} ({urlsplit(ctx.base_url).netloc})"
    uri = two_factor.provisioning_uri(secret, ctx.me.name, issuer)
    return ctx.render(
        "account/two_factor_enrol.html", errors={"code": error} if error else None,
        qr=two_factor.qr_svg(uri, ctx.t("admin.two_factor.qr_title")),
        secret=two_factor.grouped(secret), next_path=_next(ctx),
        required=two_factor.required(ctx.hub.settings, ctx.me))


async def _status_page(ctx: Ctx, error: tuple[str, Msg] | None = None,
                       codes: list[str] | None = None) -> web.Response:
    left = await ctx.store.two_factor.recovery_codes_left(ctx.me.id)
    return ctx.render("account/two_factor.html", errors=dict([error]) if error else None,
                      left=left, codes=codes, next_path=_next(ctx),
                      may_turn_off=not two_factor.required(ctx.hub.settings, ctx.me))


@enrolling
async def page(ctx: Ctx) -> web.StreamResponse:
    if not two_factor.offered(ctx.me):
        return _refused(ctx)
    if await ctx.store.two_factor.sealed_secret(ctx.me.id):
        return await _status_page(ctx)
    # A fresh secret at every view: it is shown on this page only, never again.
    secret = two_factor.new_secret()
    await ctx.store.two_factor.set_candidate(
        ctx.me.id, two_factor.seal(ctx.hub.settings.secret_key, ctx.me.id, secret))
    return await _enrol_page(ctx, secret)


@enrolling
async def confirm(ctx: Ctx) -> web.StreamResponse:
    if not two_factor.offered(ctx.me):
        return _refused(ctx)
    key = ctx.hub.settings.secret_key
    sealed = await ctx.store.two_factor.candidate(ctx.me.id)
    secret = sealed and two_factor.unseal(key, ctx.me.id, sealed)
    if not secret:
        raise ctx.redirect(PAGE, "two_factor_expired", next=_next(ctx))
    found = two_factor.classify(ctx.text("code", 40))
    if not found or found[0] != "totp" or not await auth.totp_accepted(
            ctx.app, ctx.me.id, secret, found[1]):
        return await _enrol_page(ctx, secret, Msg("admin.two_factor.error.code"))
    codes = two_factor.new_recovery_codes()
    await ctx.store.two_factor.enrol(ctx.me.id, two_factor.seal(key, ctx.me.id, secret),
                                     _digests(ctx, codes))
    await ctx.audit("counselor.two_factor_on", ctx.me.name)
    return await _status_page(ctx, codes=codes)


def _digests(ctx: Ctx, codes: list[str]) -> list[str]:
    key = ctx.hub.settings.secret_key
    return [two_factor.recovery_digest(key, ctx.me.id, code.replace("-", "")) for code in codes]


async def _current_code(ctx: Ctx, field: str) -> bool:
    """The form's code is right now (a wrong one counts in the login back-off as well)."""
    try:
        await auth.verify_code(ctx.app, ctx.me.id, ctx.me.name.lower(), ctx.text(field, 40))
    except HelpchatError:
        return False
    return True


@enrolling
async def new_recovery_codes(ctx: Ctx) -> web.StreamResponse:
    sealed = await ctx.store.two_factor.sealed_secret(ctx.me.id)
    if not sealed:
        raise ctx.redirect(PAGE)
    if not await _current_code(ctx, "code_new"):
        return await _status_page(ctx, ("code_new", Msg("admin.two_factor.error.code")))
    codes = two_factor.new_recovery_codes()
    await ctx.store.two_factor.enrol(ctx.me.id, sealed, _digests(ctx, codes))
    await ctx.audit("counselor.recovery_codes_new", ctx.me.name)
    return await _status_page(ctx, codes=codes)


@enrolling
async def turn_off(ctx: Ctx) -> web.StreamResponse:
    if two_factor.required(ctx.hub.settings, ctx.me):
        return _refused(ctx)
    if not await ctx.store.two_factor.sealed_secret(ctx.me.id):
        raise ctx.redirect(PAGE)
    if not await _current_code(ctx, "code_off"):
        return await _status_page(ctx, ("code_off", Msg("admin.two_factor.error.code")))
    await ctx.store.two_factor.remove(ctx.me.id)
    await ctx.audit("counselor.two_factor_off", ctx.me.name)
    raise ctx.redirect("/account", "two_factor_off")
