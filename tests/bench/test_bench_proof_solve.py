"""How long the widget takes to solve a proof-of-work challenge at the highest level
(proof_max_number, proof_cost), in Chromium, unthrottled and with CPU throttling x6 (CDP
Emulation.setCPUThrottlingRate), the usual stand-in for a low-end phone.

Runs the widget's own code (widgets/chat/proof.js and ALTCHA's PBKDF2 worker) in the widget
page. Chromium's throttling slows the page's threads; whether it reaches the workers and the
WebCrypto threads that do the hashing is the browser's business, so the figures also give a
conservative bound: one worker unthrottled, times six. Run on demand: `make bench ARGS="-k solve"`.
"""

from __future__ import annotations

import dataclasses
import time

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import async_playwright

from helpchat import proof
from helpchat.config import Settings
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.bench

SAMPLES = 30
DEFAULTS = {f.name: f.default for f in dataclasses.fields(Settings)}
POLICY = proof.ProofPolicy(
    joins_per_minute=DEFAULTS["proof_joins_per_minute"],
    min_number=DEFAULTS["proof_min_number"], max_number=DEFAULTS["proof_max_number"],
    cost=DEFAULTS["proof_cost"], challenge_seconds=DEFAULTS["proof_challenge_seconds"],
    admissions_per_minute=DEFAULTS["proof_admissions_per_minute"],
    urgent_per_minute=DEFAULTS["proof_urgent_per_minute"],
)
SOLVE = """async ([challenges, workers]) => {
  if (workers) Object.defineProperty(navigator, "hardwareConcurrency", {value: workers});
  const { solveChallenge } = await import("/widget/proof.js");
  const times = [];
  for (const challenge of challenges) {
    const started = performance.now();
    const solved = await solveChallenge(challenge);
    if (!solved) throw new Error("not solved");
    times.push(performance.now() - started);
  }
  return times;
}"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(share * len(ordered)) - 1)]


async def test_bench_widget_solve_time_at_the_highest_level(server: TestServer) -> None:
    url = str(server.make_url("")).rstrip("/")
    key = proof.proof_key("bench")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        results: dict[tuple[int, int], list[float]] = {}
        for rate in (1, 6):
            for workers in (1, 0):  # 0: as many as the widget uses here (up to 4)
                page = await browser.new_page()
                await page.goto(f"{url}/widget/")
                cdp = await page.context.new_cdp_session(page)
                await cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
                challenges = [proof.issue(key, POLICY.max_number, POLICY, int(time.time()))
                              for _ in range(SAMPLES)]
                times = await page.evaluate(SOLVE, [challenges, workers])
                results[(rate, workers)] = times
                print(f"\nsolve at max_number={POLICY.max_number}, cost={POLICY.cost}: "
                      f"throttle x{rate}, workers {workers or 'auto'}: "
                      f"p50 {percentile(times, 0.5):.0f} ms, p95 {percentile(times, 0.95):.0f} "
                      f"ms, max {max(times):.0f} ms over {len(times)}")
                await page.close()
        await browser.close()
    bound = percentile(results[(1, 1)], 0.95) * 6
    print(f"conservative low-end phone bound (one worker unthrottled x6): p95 {bound:.0f} ms")
