"""Words of a post's text that no longer fit its publish time: a year that is not
the campaign's, a weekday beside a date that falls on another day, "today" or
"tomorrow" beside another day; in English, French and Spanish."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from scheduler.config import CampaignConfig
from scheduler.content.dates import check_text_dates
from tests.content.conftest import write_and_check

# Monday 23 November 2020, 09:00 local: the conference's first day.
MONDAY = datetime(2020, 11, 23, 9, 0)
YEARS = frozenset({2020})


def _rules(text: str, when: datetime = MONDAY) -> list[tuple[str, str]]:
    return [(finding.rule, finding.written) for finding in check_text_dates(text, when, YEARS)]


def test_a_year_other_than_the_campaigns_is_named() -> None:
    assert _rules("Five years after Dubrovnik 2015, states meet again.") == [("year", "2015")]
    assert _rules("The Second Review Conference, 2020.") == []


def test_links_hashtags_and_other_numbers_are_not_years() -> None:
    text = "See https://example.org/2019/report and #RevCon2019; 2019-20 was hard; 121 states."
    assert _rules(text) == []


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("Join us on Tuesday 23 November in Lausanne.", "Tuesday 23 November"),
        ("Join us on Tuesday, November 23.", "Tuesday, November 23"),
        ("Rendez-vous mardi 23 novembre à Lausanne.", "mardi 23 novembre"),
        ("Nos vemos el martes 23 de noviembre de 2020.", "martes 23 de noviembre de 2020"),
    ],
)
def test_a_weekday_that_does_not_fall_on_its_date(text: str, written: str) -> None:
    assert _rules(text) == [("weekday", written)]


def test_a_weekday_that_falls_on_its_date_is_fine() -> None:
    assert _rules("Join us on Monday 23 November; lunes 23 de noviembre; lundi 23 novembre.") == []


def test_today_and_tomorrow_beside_another_day() -> None:
    assert _rules("Today, 23 November, the conference opens.") == []
    assert _rules("Today, 22 November, the conference opens.") == [("date", "22 November")]
    assert _rules("Tomorrow, 24 November: day two.") == []
    assert _rules("Demain mardi, deuxième jour.") == []
    assert _rules("Aujourd'hui mardi, la conférence s'ouvre.") == [("date", "mardi")]
    assert _rules("Hoy, domingo, empieza.") == [("date", "domingo")]
    # "por la mañana" is "in the morning", not "tomorrow"
    assert _rules("Hoy lunes, por la mañana, empieza.") == []


def test_the_check_warns_at_the_words_in_a_post_file(
    config: CampaignConfig, tmp_path: Path
) -> None:
    """A campaign file copied for another year: the post keeps its relative time,
    and the words that no longer fit are warnings at their own line and column."""
    checked = write_and_check(
        config,
        tmp_path,
        """\
        id: opening
        call: join-the-treaty
        at: "day 1 at 09:00"
        language: en
        status: approved
        text: >-
          Today, Sunday 22 November 2019, the Review Conference opens in
          Lausanne. #StopClusterBombsNow
        """,
    )
    found = sorted((p.rule, p.line, p.column, p.severity) for p in checked.problems())
    assert found == [
        ("date", 7, 10, "warning"),  # today is Monday 23 November 2020
        ("weekday", 7, 10, "warning"),  # 22 November 2019 was a Friday
        ("year", 7, 29, "warning"),
    ], checked.problems()
    (year,) = checked.problems("year")
    assert year.message == "the text names the year 2019, but this campaign runs in 2020"
    (date_problem,) = checked.problems("date")
    assert "the post goes out on Monday 23 November 2020" in date_problem.message
    assert date_problem.hint is not None and date_problem.hint.startswith("write 23 November")
