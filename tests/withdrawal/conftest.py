"""The withdrawal suite shares the daemon suite's world: a small campaign, a queue
filled through the real sync, the memory platform and a frozen clock."""

from tests.daemon.conftest import (  # noqa: F401 - fixtures shared with the daemon's suite
    clock,
    config,
    make_context,
    platform,
    world,
)
