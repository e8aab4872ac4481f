"""Display names (issue 10): visitors see the display name, or a neutral word, never the login
name; the admin sets and confirms them, the counselor sets their own."""

from __future__ import annotations

from aiohttp.test_utils import TestServer

from helpchat import appkeys, display_names
from helpchat.store.models import Counselor
from tests.admin_helpers import web_client
from tests.conftest import CounselorFactory
from tests.support import Client, visitor
from tests.support import Counselor as Counselor_


def account(**fields: object) -> Counselor:
    base: dict[str, object] = {"id": "c" * 32, "name": "anna.devries", "roles": ("counselor",),
                               "max_chats": 2, "disabled": False, "password_hash": ""}
    return Counselor(**{**base, **fields})  # type: ignore[arg-type]


def test_display_name_rules() -> None:
    assert display_names.problem("Sanne (vrijwilliger)", "sanne") is None
    assert display_names.problem("Zoë", "zoe.b") is None
    assert display_names.problem("  ", "anna") == "empty"
    assert display_names.problem("anna", "Anna") == "login_name"
    assert display_names.problem("<script>", "anna") == "invalid"
    assert display_names.problem("x" * 41, "anna") == "invalid"
    assert display_names.suggestion("anna.devries") == "Anna"


def test_visitors_see_the_display_name_or_a_neutral_word_never_the_login_name() -> None:
    assert display_names.for_visitors(account(display_name="Anna (vrijwilliger)"), "nl") \
        == "Anna (vrijwilliger)"
    assert display_names.for_visitors(account(), "nl") == "Hulpverlener"
    assert display_names.for_visitors(account(), "en") == "Counselor"


async def started_chat(base_url: str, counselor: Counselor_) -> tuple[Client, str, str]:
    """A visitor whose chat `counselor` took: (client, conversation id, chat_started name)."""
    await counselor.call("set_duty", {"status": "on"})
    youth, _ = await visitor(base_url)
    await youth.call("request_chat", {"topic": "School"})
    taken = await counselor.call("take", {})
    assert taken["ok"], taken
    started = await youth.wait_for("chat_started")
    return youth, started["conversation_id"], started["counselor_name"]


async def test_chat_started_and_messages_carry_the_display_name_never_the_login_name(
    server: TestServer, base_url: str, counselor_factory: CounselorFactory,
) -> None:
    anna = await counselor_factory("anna")
    youth, cid, name = await started_chat(base_url, anna)
    assert name == "Hulpverlener"  # an older account without a display name: not "anna"
    reply = await anna.call("message", {"conversation_id": cid, "client_id": "m1",
                                        "text": "Hoi"})
    assert reply["ok"] and reply["message"]["counselor_name"] is None
    await youth.close()

    await server.app[appkeys.STORE].counselors.set_display_name(anna.id, "Sanne (vrijwilliger)")
    youth, cid, name = await started_chat(base_url, anna)
    assert name == "Sanne (vrijwilliger)"
    await anna.call("message", {"conversation_id": cid, "client_id": "m2", "text": "Hallo"})
    got = await youth.wait_for("message", lambda m: m.get("client_id") == "m2")
    assert got["counselor_name"] == "Sanne (vrijwilliger)"
    assert "anna" not in str(youth.events).lower()
    await youth.close()


async def test_admin_sets_and_confirms_display_names_and_counselors_set_their_own(
    server: TestServer, base_url: str,
) -> None:
    admin = await web_client(base_url, server.app, "root")
    status, page = await admin.get("/admin/counselors")
    assert status == 200 and "Bevestig de naam voor bezoekers" in page  # root has none yet
    status, body, _ = await admin.post("/admin/counselors", {
        "name": "dirk", "display_name": "dirk", "role": "counselor", "max_chats": "2"})
    assert status == 400 and "andere naam dan de gebruikersnaam" in body
    status, body, _ = await admin.post("/admin/counselors", {
        "name": "dirk", "display_name": "Dirk (vrijwilliger)", "role": "counselor",
        "max_chats": "2"})
    assert status == 200
    store = server.app[appkeys.STORE]
    dirk = await store.counselors.by_name("dirk")
    assert dirk and dirk.display_name == "Dirk (vrijwilliger)" and dirk.display_confirmed
    assert admin.counselor_id
    status, page = await admin.get(f"/admin/counselors/{admin.counselor_id}")
    assert 'name="display_name" type="text" value=""' in page  # "Root" would be the login
    status, _, _ = await admin.post(f"/admin/counselors/{admin.counselor_id}", {
        "display_name": "Beheer", "role": "admin", "max_chats": "2"})
    assert status == 303
    me = await store.counselors.get(admin.counselor_id)
    assert me and me.display_confirmed and me.display_name == "Beheer"
    status, page = await admin.get("/admin/counselors")
    assert "Bevestig de naam voor bezoekers" not in page
    await admin.close()

    counselor = await web_client(base_url, server.app, "eva.smit", role="counselor")
    status, page = await counselor.get("/account")
    assert status == 200 and 'value="Eva"' in page  # the suggestion from the login name
    status, _, location = await counselor.post("/account/name", {"display_name": "Eva (stagiair)"})
    assert status == 303 and location.startswith("/account")
    assert counselor.counselor_id
    eva = await store.counselors.get(counselor.counselor_id)
    assert eva and eva.display_name == "Eva (stagiair)" and eva.display_confirmed
    status, body, _ = await counselor.post("/account/name", {"display_name": "Eva.Smit"})
    assert status == 400
    await counselor.close()
