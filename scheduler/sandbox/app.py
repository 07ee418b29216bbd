"""The whole sandbox: every registered platform's stand-in on one local server.

Each platform's API has its own path shape (X's start with ``/2/``, Graph's
with a version such as ``/v25.0/``), so one
:class:`~scheduler.platforms.sandbox_server.HTTPSandbox` on 127.0.0.1 serves them all.
The stand-ins share one fault plan and the caller's clock (the daemon's, in a
rehearsal), so rate windows, 24-hour caps and token expiry stay consistent
with the schedule.

Typical use (tests, the rehearsal)::

    with build_sandbox(config, clock) as sandbox:
        live = point_at_sandbox(config, sandbox.url)
        environ = sandbox_environment(config)      # scheduler.sandbox.credentials
        publisher = build_publisher(live, live.account("x-main"), environ, clock)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scheduler.clock import Clock
from scheduler.config import CampaignConfig
from scheduler.platforms import registry
from scheduler.platforms.sandbox_base import PlatformSandbox
from scheduler.platforms.sandbox_server import HTTPSandbox
from scheduler.sandbox.faults import FaultPlan


class Sandbox:
    """Every platform's stand-in behind one server. ``url`` is valid once
    constructed (the port is bound at once); :meth:`start` serves in a background
    thread, :meth:`serve_forever` in the calling one. ``platforms`` holds each
    platform's stand-in by key, for assertions (``sandbox["x"]``, or
    ``sandbox.x`` in tests); ``faults`` is the shared fault plan."""

    def __init__(
        self,
        config: CampaignConfig,
        clock: Clock,
        faults: FaultPlan | None = None,
        port: int = 0,
        options: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.faults = faults if faults is not None else FaultPlan()
        self.platforms: dict[str, PlatformSandbox] = {}
        for profile in registry.profiles():
            accounts = [account for account in config.accounts if account.platform == profile.key]
            knobs = (options or {}).get(profile.key, {})
            self.platforms[profile.key] = profile.build_sandbox(
                accounts, clock, self.faults, **knobs
            )
        routes = [route for stand_in in self.platforms.values() for route in stand_in.routes()]
        self._http = HTTPSandbox(routes, port=port)

    def __getitem__(self, key: str) -> PlatformSandbox:
        """The stand-in of platform ``key``; KeyError when none is mounted."""
        return self.platforms[key]

    def __getattr__(self, key: str) -> Any:
        """``sandbox.x``: the stand-in of platform ``x`` with its own type (for tests)."""
        platforms = self.__dict__.get("platforms", {})
        if key in platforms:
            return platforms[key]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {key!r}")

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: the base URL for every platform."""
        return self._http.url

    def shift_clock(self, seconds: float) -> None:
        """Make every platform's clock run ``seconds`` ahead of this host's
        (negative: behind): the ``Date`` of each answer, and the timestamps the
        stand-ins check. For tests of a host whose clock is off; the host's own
        clock is never changed."""
        self._http.wall_offset_s = seconds
        for stand_in in self.platforms.values():
            stand_in.wall_offset_s = seconds

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
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> Sandbox:
    """A sandbox for the accounts of ``config``, bound to 127.0.0.1:``port`` (0: any free
    port) but not yet serving; use it as a context manager or call ``start()``.
    ``options`` gives a platform's stand-in its own knobs, by platform key
    (``{"x": {"limits": XLimits(create_15m=2)}}``).

    :raises OSError: the port is taken.
    """
    return Sandbox(config, clock, faults, port, options)


def point_at_sandbox(config: CampaignConfig, url: str) -> CampaignConfig:
    """A copy of ``config`` whose every platform's base URL is ``url``; everything
    else, including the folder relative paths start from, is unchanged."""
    platforms = {key: settings.pointed_at(url) for key, settings in config.platforms.items()}
    copy = config.model_copy(update={"platforms": platforms})
    copy._base_dir = config._base_dir
    return copy
