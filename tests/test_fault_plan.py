from __future__ import annotations

import re

import pytest

from scheduler.sandbox.faults import FaultPlan


def test_a_plan_parses_and_fires_in_order() -> None:
    plan = FaultPlan.parse("x.create_post:drop_after;facebook.photos:fb_code:code=2:times=2")
    assert plan.take("x.create_post", "x-main") is not None
    assert plan.take("x.create_post", "x-main") is None
    fired = [plan.take("facebook.photos", "facebook-main") for _ in range(3)]
    assert [fault is not None for fault in fired] == [True, True, False]


def test_a_mistyped_endpoint_is_refused_with_a_suggestion() -> None:
    with pytest.raises(ValueError, match=re.escape("did you mean 'x.create_post'")):
        FaultPlan.parse("x.create:drop_after")


def test_wildcards_must_match_a_platform() -> None:
    FaultPlan.parse("x.*:slow:delay_s=0.1")
    with pytest.raises(ValueError, match=re.escape("unknown fault endpoint 'twitter.*'")):
        FaultPlan.parse("twitter.*:slow")


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault kind 'explode'"):
        FaultPlan.parse("x.me:explode")
