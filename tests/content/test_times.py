"""Publish times: absolute, local, relative to the conference; DST, offsets, window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scheduler.config import CampaignConfig
from scheduler.content.times import TimeError, parse_publish_time
from tests.content.conftest import CheckText, Expected, assert_problem


def post_at(at: str) -> str:
    """A one-post file whose `at` value sits on line 3, column 5."""
    return (
        "id: timed\n"
        "call: save-lives\n"
        f"at: {at}\n"
        "language: en\n"
        'text: "Save lives. #StopClusterBombsNow"\n'
    )


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2020-11-02 09:00", datetime(2020, 11, 2, 8, 0, tzinfo=UTC)),  # winter: UTC+1
        ("2020-10-24 09:00", datetime(2020, 10, 24, 7, 0, tzinfo=UTC)),  # summer: UTC+2
        ("2020-11-02T09:00:30", datetime(2020, 11, 2, 8, 0, 30, tzinfo=UTC)),
        ("2020-11-02T09:00+01:00", datetime(2020, 11, 2, 8, 0, tzinfo=UTC)),
        ("2020-11-02T09:00+0100", datetime(2020, 11, 2, 8, 0, tzinfo=UTC)),
        ("day 1 at 09:00", datetime(2020, 11, 23, 8, 0, tzinfo=UTC)),
        ("Day 2 at 12:00", datetime(2020, 11, 24, 11, 0, tzinfo=UTC)),
        ("3 days before the conference at 09:00", datetime(2020, 11, 20, 8, 0, tzinfo=UTC)),
        ("1 week before conference at 10:30", datetime(2020, 11, 16, 9, 30, tzinfo=UTC)),
        # Four weeks back lands on 26 October, the day after summer time ends.
        ("4 weeks before the conference at 09:00", datetime(2020, 10, 26, 8, 0, tzinfo=UTC)),
    ],
)
def test_accepted_forms(config: CampaignConfig, written: str, expected: datetime) -> None:
    reading = parse_publish_time(written, config.campaign)
    assert reading.instant == expected
    assert reading.warnings == ()


def test_a_version_can_count_from_the_message_time(config: CampaignConfig) -> None:
    base = datetime(2020, 11, 2, 8, 0, tzinfo=UTC)
    assert parse_publish_time("+30 min", config.campaign, base).instant == datetime(
        2020, 11, 2, 8, 30, tzinfo=UTC
    )
    assert parse_publish_time("+1 h", config.campaign, base).instant.hour == 9


def test_a_time_that_happens_twice_shows_both_readings(check: CheckText) -> None:
    checked = check(post_at('"2020-10-25 02:30"'))
    checked.expect(
        "dst-ambiguous",
        3,
        5,
        "'2020-10-25 02:30' happens twice in Europe/Zurich (the clocks go back that night): "
        "it could be 2020-10-25T02:30+02:00 (00:30 UTC) or 2020-10-25T02:30+01:00 (01:30 UTC)",
        'add the offset you mean: "2020-10-25T02:30+02:00" or "2020-10-25T02:30+01:00"',
    )
    assert checked.report.posts == []


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        pytest.param(
            '"2020-03-29 02:30"',
            Expected("dst-gap", 3, 5, "does not exist in Europe/Zurich", "pick a time"),
            id="a gap time in a file names its place",
        ),
        pytest.param(
            "2020-11-02",
            Expected(
                "time-date-only",
                3,
                5,
                "'2020-11-02' is a date without a time",
                'add the local time: "2020-11-02 09:00"',
            ),
            id="a date without a time is an error",
        ),
        pytest.param(
            '"10:00"',
            Expected(
                "time-format",
                3,
                5,
                "'10:00' gives the time of day but not the day",
                'add the day, in double quotes: "2020-11-23 10:00" or "day 1 at 10:00"',
            ),
            id="a quoted time of day alone names what is missing",
        ),
        pytest.param(
            '"day 6 at 10:00"',
            Expected(
                "time-format",
                3,
                5,
                "the conference has days 1 to 5; there is no day 6",
                "use a day from 1 (2020-11-23) to 5 (2020-11-27)",
            ),
            id="a day after the conference is an error",
        ),
        pytest.param(
            '"next monday"',
            Expected(
                "time-format",
                3,
                5,
                "cannot read 'next monday' as a publish time",
                '"day 2 at 12:00"',
            ),
            id="unreadable text lists the forms",
        ),
        pytest.param(
            '"+30 min"',
            Expected(
                "time-format",
                3,
                5,
                "'+30 min' counts from the message's time, which only a language version has",
                "write the time in full",
            ),
            id="counting from the message needs a version",
        ),
    ],
)
def test_a_time_that_cannot_be_used_is_reported_at_it(
    check: CheckText, at: str, expected: Expected
) -> None:
    check(post_at(at)).expect(*expected)


def test_a_time_that_does_not_exist_shows_both_readings(config: CampaignConfig) -> None:
    # Spring forward (29 March 2020): 02:30 never happens in Zurich.
    with pytest.raises(TimeError) as caught:
        parse_publish_time("2020-03-29 02:30", config.campaign)
    error = caught.value
    assert error.rule == "dst-gap"
    assert "'2020-03-29 02:30' does not exist in Europe/Zurich" in error.message
    assert "2020-03-29T02:30+01:00 (01:30 UTC) or 2020-03-29T02:30+02:00 (00:30 UTC)" in (
        error.message
    )
    assert '"2020-03-29 03:30"' in error.hint


def test_an_offset_that_is_not_the_zones_is_a_warning(
    config: CampaignConfig, check: CheckText
) -> None:
    checked = check(post_at('"2020-11-02T09:00+02:00"'))
    checked.expect(
        "offset",
        3,
        5,
        "the offset +02:00 in '2020-11-02T09:00+02:00' is not Europe/Zurich's offset on "
        "2020-11-02 (+01:00): the post goes out at 08:00 local time",
        'if you meant 09:00 local time, write "2020-11-02 09:00+01:00" or leave the offset out',
        severity="warning",
    )
    (post,) = checked.report.posts
    assert post.publish_at == datetime(2020, 11, 2, 7, 0, tzinfo=UTC)
    utc = parse_publish_time("2020-11-02 08:00Z", config.campaign)
    assert utc.instant == datetime(2020, 11, 2, 8, 0, tzinfo=UTC)
    assert [warning.rule for warning in utc.warnings] == ["offset"]


def test_a_conference_day_without_a_time_is_an_error(config: CampaignConfig) -> None:
    with pytest.raises(TimeError) as caught:
        parse_publish_time("day 2", config.campaign)
    assert caught.value.rule == "time-date-only"
    assert caught.value.hint == 'write "day 2 at 09:00"'


@pytest.mark.parametrize("number", ["1604304000", "9.30", "true"])
def test_numbers_are_never_times(check: CheckText, number: str) -> None:
    check(post_at(number)).expect(
        "time-type", 3, 5, "is not a publish time", "write the date and time in double quotes"
    )


def test_an_unquoted_clock_time_is_a_yaml_trap_reported_once(check: CheckText) -> None:
    checked = check(post_at("10:00"))
    assert [(p.line, p.column, p.rule) for p in checked.report.problems] == [(3, 5, "yaml")]


def test_an_unquoted_clock_time_as_at_gets_a_complete_time_as_its_fix(check: CheckText) -> None:
    """Quoting `10:00` alone would only lead to the next error: the fix for a
    post's `at` (and a version's) is a complete time, in quotes."""
    check(post_at("10:00")).expect(
        "yaml",
        3,
        5,
        "the unquoted 10:00 looks like a time, but YAML reads such values as numbers in base 60 "
        "(10:00 becomes 600)",
        'add the day, in double quotes: "2020-11-23 10:00" or "day 1 at 10:00"',
    )
    version = check(
        """\
        posts:
          - id: versions
            call: save-lives
            at: "2020-11-02 09:00"
            en:
              at: 9:30
              text: "Save lives. #StopClusterBombsNow"
        """,
    )
    problem = version.one("yaml")
    assert (problem.line, problem.column) == (6, 11)
    assert "(9:30 becomes 570)" in problem.message
    assert problem.hint == (
        'add the day, in double quotes: "2020-11-23 09:30" or "day 1 at 09:30" '
        '(or "+30 min" to count from the message\'s time)'
    )


def test_other_unquoted_values_keep_the_loaders_fix(check: CheckText) -> None:
    # Only `at` is a publish time: elsewhere `10:00` is just a value to quote.
    checked = check(post_at('"2020-11-02 09:00"') + "link: 10:00\n")
    assert checked.one("yaml").hint == 'quote it: "10:00"'


def test_an_unquoted_yes_no_word_as_status_names_the_statuses(check: CheckText) -> None:
    checked = check(post_at('"2020-11-02 09:00"') + "status: on\n")
    assert checked.one("yaml").hint == (
        "write one of draft, approved, cancelled (`status: approved` to publish it)"
    )


def test_times_outside_the_campaign_window(config: CampaignConfig, check: CheckText) -> None:
    check(post_at('"2020-12-01 09:00"')).expect(
        "window",
        3,
        5,
        "2020-12-01 09:00 (Europe/Zurich) is after the campaign window 2020-10-24 to 2020-11-27",
        "change campaign.window in config.yaml",
    )
    before = parse_publish_time("2020-10-23 23:59", config.campaign).instant
    from scheduler.content.resolve import check_window

    error = check_window(before, config.campaign)
    assert error is not None and "before the campaign window" in error.message


def test_no_publish_time(check: CheckText) -> None:
    text = post_at('"2020-11-02 09:00"').replace('at: "2020-11-02 09:00"\n', "")
    check(text).expect("time", 1, 1, "the post has no publish time", "add `at:`")


def test_a_past_post_is_an_error_only_when_now_is_given(
    config: CampaignConfig, tmp_path: Path
) -> None:
    from scheduler.content.check import check_paths

    text = post_at('"2020-11-02 09:00"') + "status: approved\n"
    path = tmp_path / "past.yaml"
    path.write_text(text, encoding="utf-8")
    assert check_paths(config, [path]).problems == []
    report = check_paths(config, [path], now=datetime(2020, 11, 3, tzinfo=UTC))
    (problem,) = report.problems
    assert_problem(
        problem,
        path,
        3,
        5,
        "timed is due Mon 02 Nov 2020 09:00, 16 h ago: it would be missed (the daemon sends "
        "a post at most 1 h late)",
        "move it to a time after now (2020-11-03 01:00 Europe/Zurich), or set `status: cancelled`",
    )
    assert problem.rule == "past" and problem.post_id == "timed"
    assert not report.ok() and report.notes == []


PAST_FILE = """\
posts:
  - id: first
    call: save-lives
    at: "2020-11-02 09:00"
    status: approved
    language: en
    text: "Save lives. #StopClusterBombsNow"
  - id: second
    call: livelihoods
    at: "2020-11-03 09:00"
    status: approved
    language: en
    text: "Livelihoods. #StopClusterBombsNow"
  - id: draft
    call: survivors-rights
    at: "2020-11-03 10:00"
    language: en
    text: "Rights. #StopClusterBombsNow"
  - id: soon
    call: prevent-tragedies
    at: "2020-11-10 09:00"
    status: approved
    language: en
    text: "Prevent. #StopClusterBombsNow"
"""


def test_each_past_approved_post_is_an_error_at_its_time(
    config: CampaignConfig, tmp_path: Path
) -> None:
    """Each approved post past its time would be missed: an error at its own `at`
    (drafts are never published, and the future post is fine)."""
    from scheduler.content.check import check_paths

    path = tmp_path / "week.yaml"
    path.write_text(PAST_FILE, encoding="utf-8")
    report = check_paths(config, [path], now=datetime(2020, 11, 5, tzinfo=UTC))
    assert [(p.line, p.rule, p.post_id, p.severity) for p in report.problems] == [
        (4, "past", "first", "error"),
        (10, "past", "second", "error"),
    ]


def test_posts_the_queue_has_dealt_with_are_history_not_errors(
    config: CampaignConfig, tmp_path: Path
) -> None:
    """A campaign under way: posts already out (settled in the queue) are not
    reported; the settled ids are read only when some post is past."""
    from scheduler.content.check import check_paths

    path = tmp_path / "week.yaml"
    path.write_text(PAST_FILE, encoding="utf-8")
    asked: list[bool] = []

    def settled() -> frozenset[str]:
        asked.append(True)
        return frozenset({"first"})

    report = check_paths(config, [path], now=datetime(2020, 11, 5, tzinfo=UTC), settled=settled)
    assert [p.post_id for p in report.problems] == ["second"]
    assert asked == [True]
    check_paths(config, [path], now=datetime(2020, 10, 1, tzinfo=UTC), settled=settled)
    assert asked == [True]  # nothing past: the queue is not read


def test_a_post_within_the_late_grace_is_a_warning(config: CampaignConfig, tmp_path: Path) -> None:
    """The daemon sends a post up to publishing.late_grace_min late: within it the
    post is late (a warning), beyond it missed (an error)."""
    from scheduler.content.check import check_paths

    path = tmp_path / "late.yaml"
    path.write_text(post_at('"2020-11-02 09:00"') + "status: approved\n", encoding="utf-8")
    due = datetime(2020, 11, 2, 8, 0, tzinfo=UTC)
    grace = timedelta(minutes=config.publishing.late_grace_min)
    within = check_paths(config, [path], now=due + grace).problems
    assert [(p.rule, p.severity) for p in within] == [("late", "warning")]
    assert within[0].message.startswith("timed was due Mon 02 Nov 2020 09:00, 1 h ago: it goes")
    beyond = check_paths(config, [path], now=due + grace * 2).problems
    assert [(p.rule, p.severity) for p in beyond] == [("past", "error")]


def test_after_the_window_a_note_replaces_the_warnings(
    config: CampaignConfig, tmp_path: Path
) -> None:
    """Rehearsing a campaign whose window has ended: no warning per post (the
    verdict stays the same with --strict), one note for the whole run."""
    from scheduler.content.check import check_paths

    path = tmp_path / "week.yaml"
    path.write_text(PAST_FILE, encoding="utf-8")
    report = check_paths(config, [path], now=config.campaign.window_end)
    assert report.problems == [] and report.ok(strict=True)
    (note,) = report.notes
    assert note.startswith("the campaign window ended on 2020-11-27")
    assert "`campaign new`" in note


def test_counting_from_a_message_without_a_time(check: CheckText) -> None:
    check(
        """\
        id: no-base
        call: save-lives
        en:
          at: "2020-11-02 09:00"
          text: "Hello #StopClusterBombsNow"
        fr:
          at: "+30 min"
          text: "Bonjour #StopClusterBombsNow"
        """
    ).expect(
        "time",
        7,
        7,
        "'+30 min' counts from the message's `at`, which is missing",
        "add `at:` to the message",
    )


def test_a_wrong_message_time_is_reported_once(check: CheckText) -> None:
    checked = check(
        """\
        id: bad-base
        call: save-lives
        at: "2020-11-31 09:00"
        en: "Hello #StopClusterBombsNow"
        fr:
          at: "+30 min"
          text: "Bonjour #StopClusterBombsNow"
        """,
    )
    assert [(p.line, p.rule) for p in checked.report.errors] == [(3, "time-format")]


def _campaign_in(config: CampaignConfig, year: int) -> CampaignConfig:
    """``config`` moved to ``year`` (same days of the year)."""
    campaign = config.campaign
    moved = campaign.model_copy(
        update={
            "conference": campaign.conference.model_copy(
                update={
                    "start": campaign.conference.start.replace(year=year),
                    "end": campaign.conference.end.replace(year=year),
                }
            ),
            "window": campaign.window.model_copy(
                update={
                    "start": campaign.window.start.replace(year=year),
                    "end": campaign.window.end.replace(year=year),
                }
            ),
        }
    )
    return config.model_copy(update={"campaign": moved})


def test_examples_in_time_errors_use_the_campaigns_own_year(config: CampaignConfig) -> None:
    next_year = _campaign_in(config, 2027).campaign
    with pytest.raises(TimeError) as caught:
        parse_publish_time("next monday", next_year)
    assert '"2027-11-02 09:00" (local time), "2027-11-02T09:00+01:00"' in caught.value.hint
    assert "2020" not in caught.value.hint


@pytest.mark.parametrize(
    ("written", "message", "fix"),
    [
        (
            "02/11/2020 09:00",
            "'02/11/2020 09:00' is not written year-month-day",
            '"2020-11-02 09:00" (2 November 2020) or "2020-02-11 09:00" (11 February 2020); '
            "the day and the month could be either way round",
        ),
        (
            "25.11.2020 14:30",
            "is not written year-month-day",
            'write it year-month-day, in double quotes: "2020-11-25 14:30" (25 November 2020)',
        ),
        (
            "2 November 2020 at 10:00",
            "'2 November 2020 at 10:00' is not written year-month-day",
            '"2020-11-02 10:00" (2 November 2020)',
        ),
        (
            "2020-11-31 09:00",
            "'2020-11-31 09:00' is not a real date: November 2020 has 30 days",
            "dates are written year-month-day",
        ),
        (
            "2020-23-11 09:00",
            "is not a real date: there are 12 months",
            'if you meant 23 November 2020, write "2020-11-23"',  # year-day-month
        ),
        (
            "2020-13-02 09:00",
            "is not a real date: there are 12 months",
            'if you meant 13 February 2020, write "2020-02-13"',
        ),
    ],
)
def test_day_month_year_forms_are_explained(
    config: CampaignConfig, written: str, message: str, fix: str
) -> None:
    with pytest.raises(TimeError) as caught:
        parse_publish_time(written, config.campaign)
    assert message in caught.value.message
    assert fix in caught.value.hint


def test_a_year_that_looks_like_a_typo_is_suggested(check: CheckText) -> None:
    checked = check(post_at('"2002-11-02 09:00"'))
    problem = checked.one("window")
    assert problem.hint == (
        'the year 2002 looks like a typo for 2020, the campaign\'s: write "2020-11-02 09:00"'
    )
    far = check(post_at('"2020-06-02 09:00"')).one("window")
    assert far.hint is not None and "typo" not in far.hint
