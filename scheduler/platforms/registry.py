"""The platforms the product publishes to: one profile per platform folder.

This is the one list of platforms. Adding a platform is a folder under
``platforms/`` with its profile, and one line in :data:`_BUILT_IN`; nothing
else names it (docs/architecture.md, "Adding a platform"). The order of the
list is the order the product shows platforms in (the calendar, a post's
page, help texts).

Everything here is cheap to import: a profile module imports no client
library (see :mod:`scheduler.platforms.profile`).
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from scheduler.platforms.bluesky.profile import BlueskyProfile
from scheduler.platforms.facebook.profile import FacebookProfile
from scheduler.platforms.mastodon.profile import MastodonProfile
from scheduler.platforms.profile import PlatformProfile, joined
from scheduler.platforms.x.profile import XProfile

_BUILT_IN: tuple[PlatformProfile, ...] = (
    XProfile(),
    FacebookProfile(),
    BlueskyProfile(),
    MastodonProfile(),
)

_lock = threading.Lock()
_profiles: dict[str, PlatformProfile] = {profile.key: profile for profile in _BUILT_IN}
_generation = 0


def profiles() -> tuple[PlatformProfile, ...]:
    """Every registered profile, in display order."""
    return tuple(_profiles.values())


def platform_keys() -> tuple[str, ...]:
    """Every registered platform key (``x``, ``facebook``), in display order."""
    return tuple(_profiles)


def find(key: str) -> PlatformProfile | None:
    """The profile of ``key``, or None when no platform has that key."""
    return _profiles.get(key)


def profile(key: str) -> PlatformProfile:
    """The profile of ``key``.

    :raises KeyError: naming the platforms there are (config.yaml's validation
        refuses unknown keys, so this means a value from elsewhere, such as an
        old database row).
    """
    found = _profiles.get(key)
    if found is None:
        raise KeyError(f"unknown platform {key!r}; platforms are {', '.join(_profiles)}")
    return found


def position(key: str) -> int:
    """Where ``key`` comes in display order; unknown keys come last."""
    try:
        return list(_profiles).index(key)
    except ValueError:
        return len(_profiles)


def display_name(key: str) -> str:
    """``x`` -> ``X``; an unknown key unchanged."""
    found = _profiles.get(key)
    return found.display_name if found is not None else key


def from_alias(word: str) -> PlatformProfile | None:
    """The platform people mean by ``word`` when it is not a key (``twitter``, ``fb``)."""
    plain = word.strip().lower()
    return next((p for p in _profiles.values() if plain in p.aliases), None)


def close_keys(word: str) -> list[str]:
    """Keys spelt like ``word`` (``facebok`` -> ``facebook``), closest first."""
    return difflib.get_close_matches(word, list(_profiles), n=3)


def publishes_to() -> str:
    """``X and Facebook Pages``: where the product publishes (each profile's
    ``label``), for help texts."""
    return joined(profile.label for profile in _profiles.values())


def display_names() -> str:
    """``X and Facebook``: every platform's display name, for help texts."""
    return joined(profile.display_name for profile in _profiles.values())


def generation() -> int:
    """A number that changes whenever the registry does, for caches built from it."""
    return _generation


@contextmanager
def registered(extra: PlatformProfile) -> Iterator[PlatformProfile]:
    """Register ``extra`` for the length of a ``with`` block: a test's hook for a
    platform that is not built in. Refuses a key that is already taken.

    :raises ValueError: ``extra.key`` is already registered.
    """
    global _generation
    with _lock:
        if extra.key in _profiles:
            raise ValueError(f"a platform {extra.key!r} is already registered")
        _profiles[extra.key] = extra
        _generation += 1
    try:
        yield extra
    finally:
        with _lock:
            _profiles.pop(extra.key, None)
            _generation += 1
