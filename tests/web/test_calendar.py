"""The calendar page: countdown, today's and the next posts first, by day and by week."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from scheduler.config import CampaignConfig
from scheduler.daemon.budget import queue_bill
from scheduler.web.calendar import Chip, Entry, build_calendar
from scheduler.web.formatting import countdown
from tests.web.conftest import ClientFactory


def _between(html: str, start: str, end: str) -> str:
    first = html.index(start)
    return html[first : html.index(end, first)]


def test_countdown_today_and_next_posts_come_first(client: TestClient) -> None:
    html = client.get("/").text
    assert re.search(r'countdown-headline">T-5d<', html)
    assert "in 4 d 14 h" in html  # the exact time left, 09:30 on 18 Nov to 00:00 on 23 Nov
    today = _between(html, 'data-testid="today"', 'data-testid="upcoming"')
    assert today.count('data-testid="entry"') == 6  # 2 messages x 3 languages
    assert "2020-11-18-am-en" in today and "2020-11-18-pm-es" in today
    assert html.index('data-testid="today"') < html.index('data-testid="upcoming"')
    upcoming = _between(html, 'data-testid="upcoming"', 'class="calendar"')
    assert "2020-11-19-am-en" in upcoming and "2020-11-18" not in upcoming


def test_each_post_shows_time_platform_call_language_logo_and_state(client: TestClient) -> None:
    html = client.get("/").text
    start = html.index('<article class="entry', html.index('data-testid="today"'))
    entry = html[start : html.index("</article>", start)]
    assert "2020-11-18-am-en" in entry and ">09:00<" in entry.replace("\n", "").replace(" ", "")
    assert 'src="/thumbs/logos/en/join-the-treaty.png"' in entry
    assert "Join the Treaty" in entry and ">EN<" in entry
    chips = re.findall(r"</span> ([\w-]+)\s*<span class=\"chip-state state-(\w+)\">", entry)
    assert chips == [("x-main", "retrying"), ("facebook-main", "published")]


def test_day_view_lists_every_day_of_the_window_with_its_marker(client: TestClient) -> None:
    html = client.get("/").text
    assert html.count('data-testid="day"') == 35  # 24 Oct to 27 Nov, each with posts
    assert 'data-testid="gap"' not in html
    assert 'id="today"' in html
    assert "T-30d" in html and "day 1" in html and "day 5" in html


def test_days_without_posts_are_one_line_not_a_card_each(config: CampaignConfig) -> None:
    """Two posts a week apart: their two days are cards, the days between one line."""

    def entry(post_id: str, day: int) -> Entry:
        at = datetime(2020, 11, day, 8, 0, tzinfo=UTC)
        return Entry(post_id, at, "save-lives", "en", "logo.png", (("x", "Hi"),), ())

    calendar = build_calendar(
        [entry("first", 2), entry("second", 9)], datetime(2020, 10, 1, tzinfo=UTC), config
    )
    kinds = [type(item).__name__ for item in calendar.agenda]
    assert kinds == ["Gap", "Day", "Gap", "Day", "Gap"]
    gap = calendar.agenda[2]
    assert (str(gap.first), str(gap.last), gap.count) == ("2020-11-03", "2020-11-08", 6)


def test_times_are_local_across_the_end_of_summer_time(client: TestClient) -> None:
    html = client.get("/").text
    before = html[html.index("2020-10-24-am-en") - 1500 : html.index("2020-10-24-am-en")]
    after = html[html.index("2020-10-26-am-en") - 1500 : html.index("2020-10-26-am-en")]
    # 07:00 UTC in summer time and 08:00 UTC after 25 October are both 09:00 in Lausanne.
    assert 'datetime="2020-10-24T07:00:00+00:00"' in before and "09:00" in before
    assert 'datetime="2020-10-26T08:00:00+00:00"' in after and "09:00" in after


def test_month_view_shows_each_post_readable_at_a_glance(client: TestClient) -> None:
    """One Monday-to-Sunday grid per month; each post with its time, language, call,
    logo and the start of its text; a legend says what every colour means."""
    html = client.get("/?view=month").text
    assert client.get("/?view=week").text.count('data-testid="month-grid"') == 2  # old links
    october, november = html.split('data-testid="month-grid"')[1:]
    october = october[: october.index("</table>")]
    november = november[: november.index("</table>")]
    assert october.count("<tr>") == 1 + 2  # header; weeks before 19 Oct are left out
    assert november.count("<tr>") == 1 + 5
    entries = html.count('data-testid="cell-entry"')
    assert entries == 35 * 6 + 1  # every post, with the extra one
    first = html[html.index('data-testid="cell-entry"') :]
    first = first[: first.index("</a>")]
    assert 'class="thumb"' in first and 'class="cell-call-name"' in first
    assert 'class="cell-text"' in first and 'class="cell-time"' in first
    assert "conference" in november
    legend = html[
        html.index('data-testid="legend"') : html.index(
            "</section>", html.index('data-testid="legend"')
        )
    ]
    for words in (
        "Join the Treaty",
        "Support community livelihoods",
        "needs review",
        "the conference",
    ):
        assert words in legend


def test_countdown_phases(config: CampaignConfig) -> None:
    campaign = config.campaign
    assert countdown(datetime(2020, 11, 22, 22, 59, tzinfo=UTC), campaign).headline == "T-1d"
    during = countdown(datetime(2020, 11, 24, 9, 0, tzinfo=UTC), campaign)
    assert (during.phase, during.headline) == ("during", "Day 2 of 5")
    after = countdown(datetime(2020, 11, 27, 23, 0, tzinfo=UTC), campaign)  # midnight in Lausanne
    assert (after.phase, after.headline) == ("after", "Ended")


def test_upcoming_skips_posts_with_nothing_left_to_publish(config: CampaignConfig) -> None:
    def entry(post_id: str, day: int, state: str) -> Entry:
        at = datetime(2020, 11, day, 8, 0, tzinfo=UTC)
        chip = Chip(1, "x-main", "x", state)
        return Entry(post_id, at, "save-lives", "en", "logo.png", (("x", "text"),), (chip,))

    entries = [entry("a", 19, "cancelled"), entry("b", 19, "pending"), entry("c", 20, "retrying")]
    calendar = build_calendar(entries, datetime(2020, 11, 18, 12, 0, tzinfo=UTC), config)
    assert [item.post_id for item in calendar.upcoming] == ["b", "c"]
    assert calendar.today.entries == ()


def test_after_the_campaign_the_calendar_says_it_ended(make_client: ClientFactory) -> None:
    at = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
    html = make_client(token=None, now=at).get("/").text
    ended = _between(html, 'data-testid="ended"', "</div>")
    assert "The campaign ended on Fri 27 Nov 2020" in ended
    assert "It ran from Sat 24 Oct to Fri 27 Nov 2020" in ended
    assert 'class="state state-published">published</span> ' in ended
    assert "end+" not in _between(html, '<section class="overview">', "</section>")
    assert "Nothing is scheduled today" not in html and 'data-testid="today"' not in html
    assert '<a href="#last-day">Jump to the last day</a>' in html
    assert html.count('id="last-day"') == 1 and html.count('data-testid="day"') == 35


def test_before_the_campaign_today_says_when_it_starts(make_client: ClientFactory) -> None:
    html = make_client(token=None, now=datetime(2020, 9, 1, 10, 0, tzinfo=UTC)).get("/").text
    today = _between(html, 'data-testid="today"', 'data-testid="upcoming"')
    assert "The campaign starts on Sat 24 Oct 2020." in today
    upcoming = _between(html, 'data-testid="upcoming"', 'class="calendar"')
    assert 'data-testid="entry"' in upcoming  # what is still waiting, seen from before


def test_the_calendar_shows_the_estimated_bill_per_account(
    client: TestClient, config: CampaignConfig, sessions: sessionmaker[Session]
) -> None:
    bill = queue_bill(config, sessions)
    html = client.get("/").text
    card = _between(html, 'data-testid="bill"', "</table>")
    for account in bill.accounts:
        assert f"<td>{account.label}</td>" in card
    assert bill.accounts and bill.total_usd > 0
    total = f"${bill.total_usd:,.3f}" if bill.total_usd < 10 else f"${bill.total_usd:,.2f}"
    assert f"<strong>{total}</strong>" in card
    assert "Post: Create" in card and "facebook" not in card


def test_the_history_page_shows_each_attempts_cost(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    from sqlalchemy import select, update

    from scheduler.storage.models import Attempt

    with sessions.begin() as session:
        first = session.scalars(select(Attempt.id).order_by(Attempt.started_at.desc())).first()
        assert first is not None
        session.execute(update(Attempt).where(Attempt.id == first).values(cost_usd=0.2))
    html = client.get("/history").text
    assert '<td class="nowrap" data-testid="cost">$0.200</td>' in html
