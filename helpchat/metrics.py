"""Operator metrics of one process, for /metrics (Prometheus text format, prometheus-client).

Each app gets its own registry (no module-level globals, so several apps in one test process
never share counters). No label ever carries a pseudonym, an id or anything per visitor: the
only labels are fixed sets (sender kind, namespace, event name).
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

# Waits in the queue: the same scale as the Insights page, from seconds to an hour.
WAIT_BUCKETS = (10, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600)
ACK_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)


@dataclass(frozen=True)
class Readings:
    """What the store says now (the same in every process), set just before a scrape."""

    queue_length: int
    chats_active: int
    counselors_on_duty: int


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        self.queue_length = Gauge("helpchat_queue_length", "Visitors waiting in the queue",
                                  registry=registry)
        self.chats_active = Gauge("helpchat_chats_active", "Chats a counselor is in now",
                                  registry=registry)
        self.counselors_on_duty = Gauge("helpchat_counselors_on_duty",
                                        "Counselors on duty (not paused)", registry=registry)
        self.waiting = Histogram("helpchat_waiting_seconds",
                                 "Wait from request until a counselor took the chat",
                                 buckets=WAIT_BUCKETS, registry=registry)
        # rate(helpchat_messages_total[1m]) is messages per second.
        self.messages = Counter("helpchat_messages", "Chat messages stored", ["sender"],
                                registry=registry)
        self.ack_latency = Histogram("helpchat_ack_latency_seconds",
                                     "Time from a socket event to its acknowledgement",
                                     ["namespace", "event"], buckets=ACK_BUCKETS,
                                     registry=registry)
        # prometheus_client's `labels` takes a lock and checks the label names at every call (2 %
        # of the server's time relaying 2,000 msg/s): each child is looked up once, the label
        # values being fixed sets.
        self.messages_of = functools.cache(self.messages.labels)
        self.ack_latency_of = functools.cache(self.ack_latency.labels)
        self.redis_errors = Counter("helpchat_redis_errors",
                                    "Redis commands that failed (connection or reply)",
                                    registry=registry)
        self.heartbeat = Gauge("helpchat_heartbeat_timestamp_seconds",
                               "When this process's background loop last completed a round",
                               registry=registry)
        self.heartbeat.set(time.time())
        self.cpu_busy = Gauge("helpchat_cpu_busy_ratio",
                              "Share of the last ~50 ms this process's event loop spent on the CPU",
                              registry=registry)
        self.arrivals_paced = Counter("helpchat_arrivals_paced",
                                      "Visitor connections that waited for their welcome while "
                                      "this process was busy", registry=registry)

    def beat(self) -> None:
        self.heartbeat.set(time.time())

    def render(self, readings: Readings | None) -> bytes:
        if readings is not None:
            self.queue_length.set(readings.queue_length)
            self.chats_active.set(readings.chats_active)
            self.counselors_on_duty.set(readings.counselors_on_duty)
        return generate_latest(self.registry)
