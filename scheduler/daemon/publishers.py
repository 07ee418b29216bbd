"""One publisher per account, built on first use and shared by that account's jobs."""

from __future__ import annotations

import threading
from collections.abc import Callable

from scheduler.config import Account, CampaignConfig
from scheduler.errors import ConfigError
from scheduler.platforms.base import Publisher

PublisherFactory = Callable[[Account], Publisher]


class PublisherPool:
    """Builds each account's publisher once with ``factory`` and hands it out.

    Publishers are used by several threads of their account at once; the real
    adapters share one HTTP session, whose connection pool is thread-safe.

    :raises ConfigError: from :meth:`get` when the account is unknown or its
        publisher cannot be built (a missing credential, say); not cached, so the
        next call tries again once the environment is fixed.
    """

    def __init__(self, config: CampaignConfig, factory: PublisherFactory) -> None:
        self._accounts = {account.label: account for account in config.accounts}
        self._factory = factory
        self._publishers: dict[str, Publisher] = {}
        self._lock = threading.Lock()

    def get(self, label: str) -> Publisher:
        """The publisher of account ``label``."""
        with self._lock:
            publisher = self._publishers.get(label)
            if publisher is not None:
                return publisher
            account = self._accounts.get(label)
            if account is None:
                raise ConfigError(f"no account labelled {label!r} in config.yaml")
            publisher = self._factory(account)
            self._publishers[label] = publisher
            return publisher

    def close(self) -> None:
        """Close every publisher built so far."""
        with self._lock:
            publishers = list(self._publishers.values())
            self._publishers.clear()
        for publisher in publishers:
            publisher.close()
