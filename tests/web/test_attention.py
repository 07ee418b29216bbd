"""What needs attention: problems, overdue work, pauses, rate limits, daemons."""

from __future__ import annotations

from datetime import timedelta

from starlette.testclient import TestClient

from scheduler.clock import FrozenClock
from tests.web.seed import FAILED, MISSED, NEEDS_REVIEW, OVERDUE, RETRYING


def _section(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</section>", start)]


def test_problems_overdue_pauses_and_daemons(client: TestClient) -> None:
    html = client.get("/attention").text
    problems = _section(html, "problems")
    for post_id, _account in (FAILED, NEEDS_REVIEW, MISSED):
        assert post_id in problems
    assert "read timed out after 20 s" in problems
    overdue = _section(html, "overdue")
    assert OVERDUE[0] in overdue and RETRYING[0] not in overdue  # its next try is still ahead
    assert "x-es" in html and "auth failed: 401 Unauthorized" in html
    accounts = _section(html, "accounts")
    assert "waits until Wed 18 Nov 2020, 09:45 CET" in accounts  # x-main's rate limit
    assert "paused" in accounts  # x-es is paused: its reason is said once, above
    assert html.count("auth failed: 401 Unauthorized") == 1
    assert "1 of 12" in accounts  # x-es published this morning; its daily cap is 12
    workers = _section(html, "workers")
    assert "comms-laptop" in workers and ">alive<" in workers
    assert "No daemon is running" not in html
    assert "Publishing is running" in html
    assert "SIGTERM: clean shutdown" in workers


def test_navigation_badge_counts_what_needs_attention(client: TestClient) -> None:
    # failed + needs review + missed + overdue + one paused account
    assert 'data-testid="attention-badge">5<' in client.get("/history").text


def test_a_silent_daemon_is_shown_as_such(client: TestClient, clock: FrozenClock) -> None:
    """The page agrees with itself: no "Publishing is running" beside a silent daemon,
    and no command to type in a terminal."""
    clock.advance(timedelta(minutes=10).total_seconds())
    html = client.get("/attention").text
    workers = _section(html, "workers")
    assert ">silent<" in workers
    assert "No daemon is running" in html and "Publishing is running" not in html
    assert "campaign run" not in html and "<code>campaign" not in html


def test_each_refusal_comes_with_its_fix(client: TestClient) -> None:
    problems = _section(client.get("/attention").text, "problems")
    fixes = problems.count('data-testid="fix"')
    assert fixes >= 2, problems  # the failed and the missed publication
    assert "retry" in problems.lower()


def test_without_sign_in_no_action_form_is_shown(client: TestClient) -> None:
    html = client.get("/attention").text
    assert "/retry" not in html and 'action="/pause"' not in html
    assert "Sign in as operator" in html


def test_a_refused_publication_shows_its_fix_on_its_page(client: TestClient) -> None:
    post_id, _account = FAILED
    html = client.get(f"/posts/{post_id}").text
    start = html.index('data-testid="fix"')
    fix = html[start : html.index("</dd>", start)]
    assert "X refused the post as it is" in fix and "retry the publication" in fix
    missed_id, _ = MISSED
    assert (
        "it was not sent because the daemon found it later"
        in client.get(f"/posts/{missed_id}").text
    )
