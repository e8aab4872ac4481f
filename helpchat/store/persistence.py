"""Redis's append-only file on disk.

It records every write, so the text of a chat deleted from memory at its end would stay readable
on disk until the file is rewritten. Rewriting (BGREWRITEAOF) keeps only what is still live.
"""

from __future__ import annotations

import logging

from redis.exceptions import ResponseError

from helpchat.store.connection import Redis

log = logging.getLogger(__name__)


class Persistence:
    def __init__(self, client: Redis) -> None:
        self._redis = client
        self._ended_at_last_rewrite: int | None = None

    async def rewrite_if_chats_ended(self, chats_ended: int) -> bool:
        """Rewrite the append-only file if chats ended since the last rewrite; True if started."""
        if chats_ended == self._ended_at_last_rewrite:
            return False
        try:
            await self._redis.bgrewriteaof()
        except ResponseError as exc:
            # Already rewriting, or a managed Redis that disallows the command: try later.
            log.info("append-only file not rewritten: %s", exc)
            return False
        self._ended_at_last_rewrite = chats_ended
        return True
