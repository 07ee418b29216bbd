"""The one-shot local server that receives X's redirect after a person authorizes the app.

X sends the browser back to the redirect address registered with the app,
matched exactly, and refuses ``localhost`` (platforms-2026.md 2), so the
server listens on ``127.0.0.1`` at the port and path of
``platforms.x.oauth2_redirect_uri``. It answers the first request on that
path and hands its full address on; any other path (a browser's
``/favicon.ico``) is answered 404 and waited past. It serves from its own
thread from the start, so a browser that runs in the terminal and holds it
until closed (``BROWSER=lynx``) still reaches it.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

from scheduler.errors import ConfigError

_DONE = "X answered; you can close this tab and go back to the terminal."
_REFUSED = "X did not authorize the app ({error}); the terminal says what to do."


class CallbackServer:
    """Listens at ``redirect_uri`` (``http://127.0.0.1:PORT/PATH``) from construction on,
    so the port is known to be free before the authorization URL is shown.

    :raises ConfigError: the port is taken (another ``connect`` running, or
        another program).
    """

    def __init__(self, redirect_uri: str) -> None:
        parts = urlsplit(redirect_uri)
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._path = parts.path or "/"
        self.received: str | None = None
        self._arrived = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if urlsplit(self.path).path != outer._path:
                    self.send_error(404)
                    return
                if outer.received is None:
                    outer.received = outer._origin + self.path
                    outer._arrived.set()
                query = parse_qs(urlsplit(self.path).query)
                error = query.get("error", [""])[-1]
                words = _REFUSED.format(error=error) if error else _DONE
                body = words.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # the request line holds the code: never printed

        try:
            self._server = HTTPServer(("127.0.0.1", parts.port or 80), Handler)
        except OSError as error:
            raise ConfigError(
                f"cannot listen on 127.0.0.1:{parts.port} for X's answer: "
                f"{error.strerror or error}",
                where="platforms.x.oauth2_redirect_uri",
                hint="stop the other program on that port, or run `campaign accounts "
                "connect LABEL --paste` and paste the address the browser ends on",
            ) from None
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.2,), name="x-callback", daemon=True
        )
        self._thread.start()

    def wait(self, timeout_s: float) -> str | None:
        """The address X redirected to (``http://127.0.0.1:PORT/callback?code=...&state=...``),
        or None when nothing came within ``timeout_s`` seconds."""
        self._arrived.wait(timeout_s)
        return self.received

    def close(self) -> None:
        """Stop listening."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> CallbackServer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
