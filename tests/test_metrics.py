"""/metrics: the operator figures in the Prometheus text format, only for configured addresses
or a bearer token, and never a label or value that belongs to one visitor."""

from __future__ import annotations

import aiohttp

from helpchat.web.metrics import allowed
from tests.conftest import CounselorFactory, ServerFactory, make_settings
from tests.support import chat_with, visitor
from tests.support import metric_sample as sample

TOKEN = "metrics-token-for-the-tests"


def test_allowed_addresses_networks_and_bearer_token(tmp_path: object) -> None:
    settings = make_settings("redis://x", tmp_path, metrics_allowed="127.0.0.1,10.1.0.0/16",
                             metrics_token=TOKEN)
    assert allowed(settings, "127.0.0.1", None)
    assert allowed(settings, "10.1.2.3", None)
    assert not allowed(settings, "10.2.0.1", None)
    assert not allowed(settings, None, None)
    assert allowed(settings, "192.0.2.1", f"Bearer {TOKEN}")
    assert not allowed(settings, "192.0.2.1", "Bearer wrong-token")
    assert not allowed(settings, "192.0.2.1", TOKEN)  # the scheme is part of it
    no_token = make_settings("redis://x", tmp_path, metrics_allowed="")
    assert not allowed(no_token, "127.0.0.1", "Bearer ")


async def test_metrics_count_a_chat_without_any_per_visitor_label(
    base_url: str, counselor_factory: CounselorFactory,
) -> None:
    anna = await counselor_factory("anna")
    youth, session, cid = await chat_with(base_url, anna)
    await youth.call("message", {"client_id": "m1", "text": "hallo"})
    await anna.call("message", {"conversation_id": cid, "client_id": "m2", "text": "hoi"})
    waiting, _ = await visitor(base_url)
    assert (await waiting.call("request_chat", {}))["ok"]
    async with aiohttp.ClientSession() as http, http.get(f"{base_url}/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        text = await response.text()
    assert sample(text, "helpchat_queue_length") == 1
    assert sample(text, "helpchat_chats_active") == 1
    assert sample(text, "helpchat_counselors_on_duty") == 1
    assert sample(text, "helpchat_waiting_seconds_count") == 1
    assert sample(text, "helpchat_messages_total", '{sender="visitor"}') == 1
    assert sample(text, "helpchat_messages_total", '{sender="counselor"}') == 1
    assert sample(text, "helpchat_ack_latency_seconds_count",
                  '{event="request_chat",namespace="/visitor"}') == 2
    assert sample(text, "helpchat_redis_errors_total") == 0
    assert sample(text, "helpchat_heartbeat_timestamp_seconds") > 0
    assert sample(text, "process_start_time_seconds") > 0
    for private in (session["token"], session["pseudonym"], cid, anna.id, "anna"):
        assert private not in text
    for client in (youth, waiting):
        await client.close()


async def test_metrics_are_refused_to_other_addresses_unless_the_token_is_given(
    start_server: ServerFactory,
) -> None:
    server = await start_server(metrics_allowed="10.0.0.0/8", metrics_token=TOKEN)
    url = str(server.make_url("/metrics"))
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as response:
            assert response.status == 403
        async with http.get(url, headers={"Authorization": "Bearer nope"}) as response:
            assert response.status == 403
        async with http.get(url, headers={"Authorization": f"Bearer {TOKEN}"}) as response:
            assert response.status == 200
            assert "helpchat_queue_length" in await response.text()
