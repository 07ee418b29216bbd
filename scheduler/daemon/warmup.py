"""Before the first post: every account's publisher built, and what stops one
said at once rather than at its first post."""

from __future__ import annotations

import logging

from scheduler.daemon.worker import WorkerContext
from scheduler.errors import CampaignError
from scheduler.storage import daemon_state

logger = logging.getLogger(__name__)


def warm_up(context: WorkerContext) -> None:
    """Build every account's publisher now (imports, sessions), so the first post
    of each account is not late. An account that cannot be built (credentials
    missing) is paused now, so ``campaign status`` shows why at once rather
    than at its first post; its posts stay queued until ``campaign resume``.

    :raises StorageError: when the pause cannot be recorded.
    """
    for account in context.config.accounts:
        try:
            context.publishers.get(account.label)
        except CampaignError as error:
            reason = (
                f"{account.label} cannot publish: {error}. Its posts stay queued. Fix "
                "the credentials, check them with `campaign accounts check`, then run "
                f"`campaign resume --account {account.label}`"
            )
            logger.error("ACCOUNT PAUSED: %s", reason)
            daemon_state.pause_account(
                context.sessions, account.label, reason, context.worker_id, context.clock.now()
            )
