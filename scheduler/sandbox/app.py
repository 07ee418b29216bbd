"""The whole sandbox: the X and Graph stand-ins on one local server.

X paths start with ``/2/`` and Graph paths with a version (``/v25.0/``), so
one :class:`~scheduler.sandbox.server.HTTPSandbox` on 127.0.0.1 serves both.
Both stand-ins share one fault plan and the caller's clock (the daemon's, in a
rehearsal), so rate windows, 24-hour caps and token expiry stay consistent
with the schedule.

Typical use (tests, the rehearsal)::

    with build_sandbox(config, clock) as sandbox:
        live = point_at_sandbox(config, sandbox.url)
        environ = sandbox_environment(config)      # scheduler.sandbox.credentials
        publisher = build_publisher(live, live.account("x-main"), environ, clock)
"""

from __future__ import annotations

from scheduler.clock import Clock
from scheduler.config import CampaignConfig
from scheduler.sandbox.faults import FaultPlan
from scheduler.sandbox.graph_api import GraphSandbox
from scheduler.sandbox.server import HTTPSandbox
from scheduler.sandbox.x_api import XSandbox
from scheduler.sandbox.x_limits import XLimits


class Sandbox:
    """Both stand-ins behind one server. ``url`` is valid once constructed (the port is
    bound at once); :meth:`start` serves in a background thread, :meth:`serve_forever`
    in the calling one. ``x`` and ``facebook`` hold each platform's state for
    assertions; ``faults`` is the shared fault plan."""

    def __init__(
        self,
        config: CampaignConfig,
        clock: Clock,
        faults: FaultPlan | None = None,
        port: int = 0,
        x_limits: XLimits | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.faults = faults if faults is not None else FaultPlan()
        self.x = XSandbox(config, clock, self.faults, limits=x_limits)
        self.facebook = GraphSandbox(config, clock, self.faults)
        self._http = HTTPSandbox([*self.x.routes(), *self.facebook.routes()], port=port)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: the base URL for both platforms."""
        return self._http.url

    def start(self) -> Sandbox:
        self._http.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (KeyboardInterrupt propagates)."""
        self._http.serve_forever()

    def stop(self) -> None:
        self._http.stop()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def build_sandbox(
    config: CampaignConfig,
    clock: Clock,
    faults: FaultPlan | None = None,
    port: int = 0,
    *,
    x_limits: XLimits | None = None,
) -> Sandbox:
    """A sandbox for the accounts of ``config``, bound to 127.0.0.1:``port`` (0: any free
    port) but not yet serving; use it as a context manager or call ``start()``.

    :raises OSError: the port is taken.
    """
    return Sandbox(config, clock, faults, port, x_limits)


def point_at_sandbox(config: CampaignConfig, url: str) -> CampaignConfig:
    """A copy of ``config`` whose X and Facebook base URLs are ``url``; everything else,
    including the folder relative paths start from, is unchanged."""
    platforms = config.platforms.model_copy(
        update={
            "x": config.platforms.x.model_copy(update={"api_base_url": url}),
            "facebook": config.platforms.facebook.model_copy(update={"api_base_url": url}),
        }
    )
    copy = config.model_copy(update={"platforms": platforms})
    copy._base_dir = config._base_dir
    return copy
