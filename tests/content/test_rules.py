"""Rules across posts and files: duplicate ids, X duplicate text, daily caps and spacing."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from scheduler.config import CampaignConfig
from scheduler.content.check import check_paths
from tests.content.conftest import CheckText, Expected, assert_problem


def english_post(identifier: str, at: str, text: str, extra: str = "") -> str:
    """One list item: `- id:` on its first line, `at` on its third, `text` on its fifth."""
    return textwrap.indent(
        f"- id: {identifier}\n"
        "  call: save-lives\n"
        f'  at: "{at}"\n'
        "  language: en\n"
        f'  text: "{text}"\n' + extra,
        "  ",
    )


def posts_file(*items: str) -> str:
    return "posts:\n" + "".join(items)


def test_duplicate_ids_across_files_name_the_first(config: CampaignConfig, tmp_path: Path) -> None:
    first = tmp_path / "a.yaml"
    second = tmp_path / "b.yaml"
    first.write_text(
        posts_file(english_post("same", "2020-11-02 09:00", "One #StopClusterBombsNow"))
    )
    second.write_text(
        posts_file(english_post("same", "2020-11-03 09:00", "Two #StopClusterBombsNow"))
    )
    report = check_paths(config, [tmp_path])
    (problem,) = report.problems
    assert_problem(
        problem,
        second,
        2,
        9,
        f"the id same is already used at {first}:2",
        "give each post its own id",
    )


def test_a_post_id_that_collides_with_a_language_version(check: CheckText) -> None:
    checked = check(
        """\
        posts:
          - id: hello
            call: save-lives
            at: "2020-11-02 09:00"
            en: "Hello #StopClusterBombsNow"
            fr: "Bonjour #StopClusterBombsNow"
            es: "Hola #StopClusterBombsNow"
          - id: hello-en
            call: save-lives
            at: "2020-11-04 09:00"
            language: en
            text: "Hello again #StopClusterBombsNow"
        """
    )
    checked.expect(
        "duplicate-id",
        8,
        9,
        f"the post id hello-en is already used at {checked.path}:5",
        "give each post its own id",
    )


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        pytest.param(
            ("first", "2020-11-02 09:00", "Join the Treaty #StopClusterBombsNow"),
            ("second", "2020-11-05 09:00", "join  the treaty #StopClusterBombsNow"),
            Expected(
                "x-duplicate",
                11,
                11,
                "second has the same text as first ({path}:2) on x-main; X refuses duplicate content",
                "reword one of them",
            ),
            id="x refuses the same text twice on one account",
        ),
        pytest.param(
            ("early", "2020-11-02 09:00", "Early #StopClusterBombsNow"),
            ("close", "2020-11-02 09:45", "Close #StopClusterBombsNow"),
            Expected(
                "spacing",
                9,
                9,
                "on x-main, close at Mon 02 Nov 09:45 comes 45 min after early ({path}:2); "
                "the account needs at least 60 min between posts",
                "move close to 10:00 or later (or early earlier)",
            ),
            id="minimum spacing names both posts",
        ),
    ],
)
def test_a_second_post_that_clashes_with_the_first_names_both(
    check: CheckText,
    first: tuple[str, str, str],
    second: tuple[str, str, str],
    expected: Expected,
) -> None:
    checked = check(posts_file(english_post(*first), english_post(*second)))
    checked.expect(*expected._replace(message=expected.message.format(path=checked.path)))


def test_the_same_text_on_different_accounts_or_cancelled_is_fine(check: CheckText) -> None:
    text = "Join the Treaty #StopClusterBombsNow"
    checked = check(
        posts_file(
            english_post("first", "2020-11-02 09:00", text),
            english_post("facebook", "2020-11-03 09:00", text, "  targets: [facebook]\n"),
            english_post("gone", "2020-11-04 09:00", text, "  status: cancelled\n"),
        )
    )
    assert checked.problems("x-duplicate") == []


def test_the_daily_cap_names_the_day_and_the_posts(check: CheckText) -> None:
    items = [
        english_post(
            f"post-{hour}", f"2020-11-02 {hour:02d}:00", f"Post {hour} #StopClusterBombsNow"
        )
        for hour in range(8, 21)  # 13 posts, one an hour; x-main takes 12 a day
    ]
    checked = check(posts_file(*items))
    names = ", ".join(f"post-{hour}" for hour in range(8, 21))
    checked.expect(
        "daily-cap",
        4 + 5 * 12,
        9,
        f"x-main has 13 posts on Mon 02 Nov 2020 (local time), more than its daily cap of 12: "
        f"{names}",
        "move 1 of them to another day, or raise daily_cap for x-main in config.yaml",
    )


def test_the_day_is_the_local_day(check: CheckText) -> None:
    # 23:30 local on 2 November is 22:30 UTC the same day; 00:30 local on the 3rd is
    # 23:30 UTC on the 2nd: by UTC both would be the 2nd, by local time they are not.
    items = [
        english_post(
            f"late-{minute}",
            f"2020-11-02 {hour:02d}:{minute:02d}",
            f"{hour} {minute} #StopClusterBombsNow",
        )
        for hour, minute in [(h, 0) for h in range(12, 23)] + [(23, 30)]
    ]
    items.append(english_post("next-day", "2020-11-03 00:30", "Next day #StopClusterBombsNow"))
    assert check(posts_file(*items)).problems("daily-cap") == []


def test_language_versions_share_a_facebook_page(check: CheckText) -> None:
    check(
        """\
        posts:
          - id: together
            call: save-lives
            at: "2020-11-02 09:00"
            en: "Hello #StopClusterBombsNow"
            fr:
              at: "+10 min"
              text: "Bonjour #StopClusterBombsNow"
            es:
              at: "+30 min"
              text: "Hola #StopClusterBombsNow"
            targets: [x, facebook]
        """
    ).expect(
        "spacing",
        7,
        11,
        "on facebook-main, the language versions of together go out Mon 02 Nov at en 09:00, "
        "fr 09:10, es 09:30; the account needs at least 20 min between posts",
        'give each version its own time after the message\'s en one: `at: "+30 min"` under '
        '`fr:`; `at: "+60 min"` under `es:`',
    )


def test_three_versions_at_one_time_get_one_fix_that_works(check: CheckText) -> None:
    """Three language versions at one time on the Facebook Page: one error, whose fix
    (the relative times the docs teach) is the same for all and keeps the spacing;
    never "move es to 09:20" and "move fr to 09:20", which would clash again."""
    checked = check(
        """\
        posts:
          - id: together
            call: save-lives
            at: "2020-11-02 09:00"
            en: "Hello #StopClusterBombsNow"
            fr: "Bonjour #StopClusterBombsNow"
            es: "Hola #StopClusterBombsNow"
        """
    )
    problems = checked.problems("spacing")  # one per account carrying all three
    assert [problem.message.split(",")[0] for problem in problems] == [
        "on facebook-main",
        "on bluesky-main",
        "on mastodon-main",
    ]
    for problem in problems:
        assert problem.hint is not None
        assert '`at: "+30 min"` under `fr:`; `at: "+60 min"` under `es:`' in problem.hint
    fixed = check(
        """\
        posts:
          - id: together
            call: save-lives
            at: "2020-11-02 09:00"
            en: "Hello #StopClusterBombsNow"
            fr:
              at: "+30 min"
              text: "Bonjour #StopClusterBombsNow"
            es:
              at: "+60 min"
              text: "Hola #StopClusterBombsNow"
        """
    )
    assert fixed.problems("spacing") == []


def test_cancelled_posts_leave_the_timeline(check: CheckText) -> None:
    checked = check(
        posts_file(
            english_post("early", "2020-11-02 09:00", "Early #StopClusterBombsNow"),
            english_post(
                "close", "2020-11-02 09:15", "Close #StopClusterBombsNow", "  status: cancelled\n"
            ),
        ),
    )
    assert checked.report.problems == []
    assert [post.status for post in checked.report.posts] == ["draft", "cancelled"]
