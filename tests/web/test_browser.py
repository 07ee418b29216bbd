"""A real browser on the dashboard: headless Chromium (Debian's ``chromium``)
driven by Playwright opens the calendar, opens a post, filters the history,
signs in and retries a failed publication. Screenshots go to
``test-artifacts/web/`` (git-ignored).

Outside CI the test skips when ``/usr/bin/chromium`` is missing; under
``CI=true`` it fails instead (``.ci/run`` installs the package).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.clock import FrozenClock
from scheduler.config import CampaignConfig
from scheduler.storage.models import Publication, PublicationState
from scheduler.web import create_app, web_access
from tests.web.conftest import TOKEN
from tests.web.seed import FAILED

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
# Playwright must not download a browser (no network here): it drives Debian's.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"


@pytest.fixture
def chromium() -> Iterator[object]:
    """A launched headless Chromium (Playwright's Browser)."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install chromium`)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}; .ci/run should have installed it")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def live_server(
    config: CampaignConfig, sessions: sessionmaker[Session], clock: FrozenClock
) -> Iterator[str]:
    """The seeded dashboard served by uvicorn in a thread; yields its base URL."""
    app = create_app(config, sessions, clock, web_access("127.0.0.1", TOKEN, config))
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the dashboard did not start within 20 s"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_calendar_post_history_signin_and_retry(
    chromium: object, live_server: str, sessions: sessionmaker[Session]
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(chromium, Browser)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())

    # The calendar: countdown, today's posts first, logos.
    page.goto(live_server + "/")
    expect(page.get_by_test_id("countdown")).to_contain_text("T-5d")
    today = page.get_by_test_id("today")
    expect(today.get_by_test_id("entry")).to_have_count(6)
    expect(today.locator("img.logo").first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "calendar.png")
    page.goto(live_server + "/?view=month")
    expect(page.get_by_test_id("month-grid")).to_have_count(2)  # October and November
    expect(page.get_by_test_id("cell-entry").first.locator("img.thumb")).to_be_visible()
    expect(page.get_by_test_id("legend")).to_contain_text("Join the Treaty")
    page.screenshot(path=ARTIFACTS / "calendar-month.png", full_page=True)

    # A post: texts per platform with their lengths, siblings, publications.
    page.goto(live_server + "/")
    today.get_by_test_id("entry").first.locator("a.entry-title").click()
    expect(page).to_have_url(f"{live_server}/posts/2020-11-18-am-en")
    expect(page.get_by_test_id("text-x")).to_contain_text("/ 280 weighted")
    expect(page.get_by_test_id("publication")).to_have_count(2)
    page.get_by_role("link", name="FR", exact=True).click()
    expect(page).to_have_url(f"{live_server}/posts/2020-11-18-am-fr")
    page.screenshot(path=ARTIFACTS / "post.png", full_page=True)

    # The history, filtered to failed X publications through the form.
    page.get_by_role("link", name="History").click()
    filters = page.get_by_test_id("filters")
    filters.get_by_label("Platform").select_option("x")
    filters.get_by_label("State").select_option("failed")
    filters.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(
        f"{live_server}/history?platform=x&account=&call=&language=&state=failed&start=&end="
    )
    rows = page.get_by_test_id("history-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(FAILED[0])
    page.screenshot(path=ARTIFACTS / "history.png")

    # Sign in, then retry the failed publication from the attention page.
    page.get_by_role("link", name="Attention").click()
    page.get_by_role("link", name="Operator sign-in").click()
    form = page.get_by_test_id("signin-form")
    form.get_by_label("Your name").fill("Ana")
    form.get_by_label("Operator token").fill(TOKEN)
    form.get_by_role("button", name="Sign in").click()
    expect(page.locator(".flash-ok")).to_contain_text("Signed in as Ana")
    failed = page.get_by_test_id("issue").filter(has_text=FAILED[0])
    failed.get_by_placeholder("Why retry?").fill("text shortened in the file and synced")
    failed.get_by_role("button", name="Retry").click()
    expect(page.locator(".flash-ok")).to_contain_text("Queued again")
    expect(page.get_by_test_id("issue").filter(has_text=FAILED[0])).to_have_count(0)
    page.screenshot(path=ARTIFACTS / "attention.png", full_page=True)

    with sessions() as session:
        state = session.scalar(
            select(Publication.state).where(
                Publication.post_id == FAILED[0], Publication.account_label == FAILED[1]
            )
        )
    assert state == PublicationState.PENDING
    assert problems == [], f"the browser reported errors: {problems}"
