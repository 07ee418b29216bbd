"""A database that says no, for the outage tests: a SQLite write lock held by
another connection, and a TCP proxy in front of PostgreSQL that drops every
connection while "down" (the shared server itself is never stopped)."""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

from scheduler.platforms.base import PublishedPost
from scheduler.platforms.memory import MemoryPlatform, MemoryPublisher


class SQLiteLock:
    """Holds the write lock of the SQLite file at ``path`` from :meth:`take` to
    :meth:`release`, as another program's long transaction would."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._connection: sqlite3.Connection | None = None

    def take(self) -> None:
        self._connection = sqlite3.connect(
            self._path, isolation_level=None, timeout=10, check_same_thread=False
        )
        self._connection.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        if self._connection is not None:
            self._connection.rollback()
            self._connection.close()
            self._connection = None


class DroppingProxy:
    """A TCP proxy from 127.0.0.1:``port`` to ``target``; :meth:`cut` drops every
    open connection and every new one until :meth:`restore`."""

    def __init__(self, target: tuple[str, int]) -> None:
        self._target = target
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._server.getsockname()[1]
        self._up = threading.Event()
        self._up.set()
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def url_for(self, url: str) -> str:
        """``url`` with its host and port replaced by this proxy's."""
        host = f"{self._target[0]}:{self._target[1]}"
        assert host in url, url
        return url.replace(host, f"127.0.0.1:{self.port}")

    def cut(self) -> None:
        self._up.clear()
        with self._lock:
            for connection in self._open:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
                connection.close()
            self._open.clear()

    def restore(self) -> None:
        self._up.set()

    def close(self) -> None:
        self.cut()
        self._server.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if not self._up.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self._target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)


class OutageAfterCreate(MemoryPublisher):
    """A memory publisher that starts a database outage (``begin``) right after
    each post goes out, before the daemon records it."""

    def __init__(self, account_label: str, platform: MemoryPlatform, begin: object) -> None:
        super().__init__(account_label, platform)
        self._begin = begin

    def _create_post(self, text: str, media_ids: Sequence[str], link: str | None) -> PublishedPost:
        post = super()._create_post(text, media_ids, link)
        assert callable(self._begin)
        self._begin()
        return post
