"""Namespaces and room names (python-socketio rooms, shared across processes through the Redis
client manager):
  /visitor   v:{vid}     every tab of one visitor session
  /visitor   lang:{xx}   every visitor using language xx (availability pushes)
  /visitor   thread:{id} every socket that opened question thread id (its answers)
  /counselor c:{id}      every tab of one counselor
  /counselor queue       every connected counselor (queue pushes)
  /counselor supervisors every supervisor's tabs (board changes, help alerts)
  /counselor watch:{cid} supervisors silently monitoring conversation cid (read-only)
"""

from __future__ import annotations

VISITOR_NS = "/visitor"
COUNSELOR_NS = "/counselor"
QUEUE_ROOM = "queue"
SUPERVISORS_ROOM = "supervisors"


def visitor_room(vid: str) -> str:
    return f"v:{vid}"


def counselor_room(counselor_id: str) -> str:
    return f"c:{counselor_id}"


def lang_room(lang: str) -> str:
    return f"lang:{lang}"


def watch_room(cid: str) -> str:
    return f"watch:{cid}"


def thread_room(tid: str) -> str:
    return f"thread:{tid}"
