"""The harness's output: a summary in the shape of issue 15's table, every figure with its
repetitions, bench.json with all of it, and latency.png (percentiles against offered load)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

Figures = list[dict[str, Any]]


def _median(figures: Figures, scenario: str, target: str, point: str, metric: str) -> Any:
    for f in figures:
        if (f["scenario"], f["target"], f["point"], f["metric"]) == (scenario, target, point,
                                                                     metric):
            return f["median"]
    return None


def _points(figures: Figures, scenario: str, target: str) -> list[str]:
    """The measured points of a scenario in order (not its "set-up" figures)."""
    seen: list[str] = []
    for f in figures:
        if (f["scenario"], f["target"]) == (scenario, target) and f["point"] not in (*seen,
                                                                                    "set-up"):
            seen.append(f["point"])
    return seen


def ceiling(figures: Figures, scenario: str, target: str, p99_ms: float = 50) -> int | None:
    """The highest offered rate whose median p99 <= p99_ms with at most 1 % lost or late."""
    best = None
    for point in _points(figures, scenario, target):
        p99 = _median(figures, scenario, target, point, "latency p99")
        lost = _median(figures, scenario, target, point, "lost or late (>drain)")
        if p99 is not None and p99 <= p99_ms and (lost or 0) <= 1:
            best = int(point.rstrip("/s"))
    return best


def most_delivered(figures: Figures, scenario: str, target: str) -> Any:
    values = [_median(figures, scenario, target, p, "delivered/s")
              for p in _points(figures, scenario, target)]
    return max((v for v in values if v is not None), default=None)


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _ratio(a: Any, b: Any) -> str:
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or not b:
        return ""
    return f"{a / b:.2f}x"


def summary(figures: Figures) -> list[tuple[str, Any, str, Any]]:
    """(measure, helpchat, baseline name, baseline) rows, as in the issue."""
    m = _median
    rows: list[tuple[str, Any, str, Any]] = []
    for point in _points(figures, "connect", "helpchat"):
        rows.append((f"connect {point}: connections/s",
                     m(figures, "connect", "helpchat", point, "connections/s"), "bare relay",
                     m(figures, "connect", "bare relay", point, "connections/s")))
        rows.append((f"connect {point}: never got session",
                     m(figures, "connect", "helpchat", point, "never got session"), "bare relay",
                     m(figures, "connect", "bare relay", point, "never got session")))
        rows.append((f"disconnect {point}: presence sets left (want 0)",
                     m(figures, "connect", "helpchat", point,
                       "presence sets left after disconnect"), "", None))
    for point in _points(figures, "idle", "helpchat"):
        for target, base in (("helpchat", "bare aiohttp ws"),
                             ("helpchat, no deflate offered", "bare aiohttp ws, no deflate")):
            rows.append((f"idle RSS KiB/socket at {point}, {target}",
                         m(figures, "idle", target, point, "RSS per socket"), base,
                         m(figures, "idle", base, point, "RSS per socket")))
    for point in _points(figures, "chats", "helpchat"):
        rows.append((f"visitor<->counselor p99 ms, {point}",
                     m(figures, "chats", "helpchat", point, "latency p99"), "bare relay",
                     m(figures, "chats", "bare relay", point, "latency p99")))
    if _points(figures, "relay", "helpchat"):
        for base in ("bare relay", "bare relay + AsyncRedisManager"):
            rows.append(("relay ceiling msg/s, one process (p99 <= 50 ms)",
                         ceiling(figures, "relay", "helpchat"), base,
                         ceiling(figures, "relay", base)))
            rows.append(("relay most delivered msg/s, one process",
                         most_delivered(figures, "relay", "helpchat"), base,
                         most_delivered(figures, "relay", base)))
        rows.append(("relay most delivered msg/s, one process, uvloop",
                     most_delivered(figures, "relay", "helpchat"), "helpchat, asyncio loop",
                     most_delivered(figures, "relay", "helpchat, asyncio loop")))
        first = _points(figures, "relay", "helpchat")[0]
        rows.append((f"relay p99 ms at {first}, uvloop",
                     m(figures, "relay", "helpchat", first, "latency p99"),
                     "helpchat, asyncio loop",
                     m(figures, "relay", "helpchat, asyncio loop", first, "latency p99")))
        for process in ("server", "redis"):
            rows.append((f"CPU us per message at {first} ({process})",
                         m(figures, "relay", "helpchat", first, f"CPU per message ({process})"),
                         "bare relay",
                         m(figures, "relay", "bare relay", first, f"CPU per message ({process})")))
    for point in _points(figures, "pairing", "helpchat"):
        for target in ("helpchat", "helpchat, proof gate lifted"):
            rows.append((f"pairing p99 ms at {point}, {target}",
                         m(figures, "pairing", target, point, "request_chat -> chat_started p99"),
                         "bare relay",
                         m(figures, "pairing", "bare relay", point,
                           "request_chat -> chat_started p99")))
            rows.append((f"pairing refused or failed at {point}, {target}",
                         m(figures, "pairing", target, point, "refused or failed"), "bare relay",
                         m(figures, "pairing", "bare relay", point, "refused or failed")))
    if _points(figures, "cross", "helpchat"):
        base = "bare relay + AsyncRedisManager"
        rows.append(("two processes, crossing, msg/s at p99 <= 50 ms",
                     ceiling(figures, "cross", "helpchat"), base, ceiling(figures, "cross", base)))
    for f in figures:
        if f["scenario"] == "redis connections" and f["target"] == "helpchat":
            rows.append((f"Redis connections, {f['point']}, {f['metric']}", f["median"],
                         "bare + AsyncRedisManager",
                         m(figures, "redis connections", "bare relay + AsyncRedisManager",
                           f["point"], f["metric"])))
    return rows


def _table(rows: Iterable[tuple[str, ...]], header: tuple[str, ...]) -> list[str]:
    rows = [header, *rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return lines


def text(machine: dict[str, Any], figures: Figures) -> str:
    head = (f"helpchat bench ({'full' if machine['full'] else 'quick'} sizes); load average "
            f"before {machine['loadavg_before']}, after {machine.get('loadavg_after')}; "
            f"{machine['cpus']} CPUs, servers on {machine['server_cpus'] or 'any'}, "
            f"generator and Redis on {machine['client_cpus'] or 'any'}; "
            f"median of {machine['sizes']['reps']} repetitions")
    if machine.get("errors"):
        head += "\nSCENARIOS THAT FAILED: " + "; ".join(f"{k}: {v}" for k, v in
                                                     machine["errors"].items())
    summary_rows = [(measure, _fmt(ours), name, _fmt(theirs), _ratio(ours, theirs))
                    for measure, ours, name, theirs in summary(figures)]
    detail_rows = [(f["scenario"], f["target"], f["point"], f["metric"],
                    f"{_fmt(f['median'])} {f['unit']}".strip(),
                    " ".join(_fmt(v) for v in f["reps"])) for f in figures]
    return "\n".join([
        head, "", *_table(summary_rows, ("measure", "helpchat", "baseline", "value", "ratio")),
        "", *_table(detail_rows, ("scenario", "target", "point", "metric", "median", "reps")),
    ]) + "\n"


def plot(path: Path, figures: Figures) -> bool:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scenarios = [s for s in ("relay", "cross") if any(f["scenario"] == s for f in figures)]
    if not scenarios:
        return False
    fig, axes = plt.subplots(1, len(scenarios), figsize=(6.5 * len(scenarios), 4.5),
                             squeeze=False)
    for ax, scenario in zip(axes[0], scenarios, strict=True):
        targets = list(dict.fromkeys(f["target"] for f in figures if f["scenario"] == scenario))
        ticks: set[int] = set()
        for n, target in enumerate(targets):
            points = _points(figures, scenario, target)
            rates = [int(p.rstrip("/s")) for p in points]
            ticks.update(rates)
            for metric, style in (("latency p99", "-o"), ("latency p50", "--.")):
                values = [_median(figures, scenario, target, p, metric) for p in points]
                ax.plot(rates, values, style, color=f"C{n}", label=f"{target} {metric[-3:]}")
        ax.set_xscale("log")
        ax.set_xticks(sorted(ticks), [str(t) for t in sorted(ticks)])
        ax.minorticks_off()
        ax.set_yscale("log")
        ax.axhline(50, color="grey", linewidth=0.8, linestyle=":")
        ax.set_xlabel("offered messages/s")
        ax.set_ylabel("send -> other side's message event, ms")
        ax.set_title({"relay": "one process", "cross": "two processes, every message crossing"}
                     [scenario])
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def write(out: Path, machine: dict[str, Any], figures: Figures, raw: dict[str, Any]) -> None:
    table = text(machine, figures)
    print("\n" + table, flush=True)
    (out / "bench.txt").write_text(table)
    (out / "bench.json").write_text(json.dumps(
        {"machine": machine, "summary": summary(figures), "figures": figures, "raw": raw},
        indent=1, default=str))
    if plot(out / "latency.png", figures):
        print(f"written: {out / 'bench.txt'}, {out / 'bench.json'}, {out / 'latency.png'}")
