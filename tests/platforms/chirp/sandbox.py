"""Chirp's sandbox: one route listing an account's posts, from the memory the
publisher writes to."""

from __future__ import annotations

import re

from scheduler.platforms.faults import FaultSource
from scheduler.platforms.memory import MemoryPlatform
from scheduler.platforms.sandbox_base import PlatformSandbox, SentPost
from scheduler.platforms.sandbox_server import Request, Response, Route, route


class ChirpSandbox(PlatformSandbox):
    """``GET /chirp/v1/accounts/{label}/posts``: that account's posts, oldest first."""

    def __init__(self, memory: MemoryPlatform, faults: FaultSource) -> None:
        self.memory = memory
        self.faults = faults

    def routes(self) -> list[Route]:
        return [route("GET", r"/chirp/v1/accounts/(?P<label>[^/]+)/posts", self._posts)]

    def _posts(self, request: Request, match: re.Match[str]) -> Response:
        fault = self.faults.take("chirp.posts", match["label"])
        posts = [{"id": post.post_id, "text": post.text} for post in self.sent(match["label"])]
        return Response(200, {"data": posts}, delay_s=fault.delay_s if fault else 0.0)

    def sent(self, label: str) -> list[SentPost]:
        stored = self.memory.posts.get(label, [])
        return [SentPost(post.platform_post_id, post.text) for post in stored]

    def count(self, label: str | None = None) -> int:
        return self.memory.count(label)
