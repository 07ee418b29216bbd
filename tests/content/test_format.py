"""The post format: file shapes, ids, language versions, schema errors with their fix."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from scheduler.config import CampaignConfig
from tests.content.conftest import CheckText, Expected, assert_problem

MESSAGE = """\
posts:
  - id: four-weeks
    call: join-the-treaty
    at: "2020-10-26 09:00"
    status: approved
    link: "https://www.clusterconvention.org"
    en: "Four weeks to Lausanne. #StopClusterBombsNow"
    fr:
      at: "+30 min"
      text: "Plus que quatre semaines. #StopClusterBombsNow"
    es:
      at: "+60 min"
      call: join-the-treaty
      text: "Faltan cuatro semanas. #StopClusterBombsNow"
"""


def test_a_message_becomes_one_post_per_language(check: CheckText) -> None:
    checked = check(MESSAGE)
    assert checked.report.problems == []
    by_id = {post.id: post for post in checked.report.posts}
    assert list(by_id) == ["four-weeks-en", "four-weeks-fr", "four-weeks-es"]
    english, french = by_id["four-weeks-en"], by_id["four-weeks-fr"]
    assert english.message_id == "four-weeks" and english.language == "en"
    assert english.status == "approved" and english.call == "join-the-treaty"
    assert english.publish_at == datetime(2020, 10, 26, 8, 0, tzinfo=UTC)
    assert french.publish_at == datetime(2020, 10, 26, 8, 30, tzinfo=UTC)
    assert english.targets == ("x-main", "facebook-main", "bluesky-main", "mastodon-main")
    assert french.targets == ("x-fr", "facebook-main", "bluesky-main", "mastodon-main")
    assert english.media == ("logos/en/join-the-treaty.png",)
    assert french.media == ("logos/fr/join-the-treaty.png",)
    link = "https://www.clusterconvention.org"
    assert english.texts == {
        "x": f"Four weeks to Lausanne. #StopClusterBombsNow\n\n{link}",
        "facebook": f"Four weeks to Lausanne. #StopClusterBombsNow\n\n{link}",
        "bluesky": f"Four weeks to Lausanne. #StopClusterBombsNow\n\n{link}",
        "mastodon": f"Four weeks to Lausanne. #StopClusterBombsNow\n\n{link}",
    }
    assert english.link == link
    assert english.source_line == 7 and french.source_line == 9


def test_a_one_post_file_takes_its_id_from_the_file_name(check: CheckText) -> None:
    checked = check(
        """\
        call: save-lives
        at: "2020-11-02 09:00"
        language: en
        text: "Save lives. #StopClusterBombsNow"
        """,
        name="save-lives-monday.yaml",
    )
    assert checked.report.problems == []
    (post,) = checked.report.posts
    assert post.id == "save-lives-monday" and post.message_id == "save-lives-monday"
    assert post.status == "draft"  # the default: nothing is published unless approved


def test_a_post_in_a_list_needs_an_id(check: CheckText) -> None:
    checked = check(
        """\
        posts:
          - call: save-lives
            at: "2020-11-02 09:00"
            language: en
            text: "Save lives. #StopClusterBombsNow"
        """
    )
    checked.expect(
        "id", 2, 5, "a post in a file with several posts needs an `id`", "add `id: some-words`"
    )
    assert checked.report.posts == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            """\
            id: Four Weeks
            call: save-lives
            at: "2020-11-02 09:00"
            language: en
            text: "Save lives. #StopClusterBombsNow"
            """,
            Expected(
                "id",
                1,
                5,
                "may hold only lowercase letters, digits and hyphens",
                "`id: four-weeks`",
            ),
            id="an id with capitals or spaces is an error",
        ),
        pytest.param(
            """\
            id: typo
            call: save-lives
            at: "2020-11-02 09:00"
            language: en
            text: "Save lives. #StopClusterBombsNow"
            staus: approved
            """,
            Expected("unknown-field", 6, 1, "unknown field 'staus'", "did you mean 'status'?"),
            id="a misspelt field gets did you mean",
        ),
        pytest.param(
            """\
            id: german
            call: save-lives
            at: "2020-11-02 09:00"
            language: dee
            text: "Save lives. #StopClusterBombsNow"
            """,
            Expected(
                "language",
                4,
                11,
                "'dee' is not one of the campaign's languages (en, fr or es)",
                "use a language from config.yaml",
            ),
            id="a language the campaign does not have",
        ),
        pytest.param(
            """\
            id: number
            call: save-lives
            at: "2020-11-02 09:00"
            language: en
            text: 19.10
            """,
            Expected(
                "schema",
                5,
                7,
                "`text` must be text, but YAML read 19.10 as a number",
                'quote it: "19.10"',
            ),
            id="text that yaml reads as a number must be quoted",
        ),
        pytest.param(
            """\
            id: variant
            call: save-lives
            at: "2020-11-02 09:00"
            language: en
            targets: [facebook]
            text: "Text. #StopClusterBombsNow"
            variants:
              x: "Short. #StopClusterBombsNow"
            """,
            Expected(
                "variants",
                8,
                3,
                "a x variant, but the post does not go to x",
                "add x to targets",
                "warning",
            ),
            id="a variant for a platform not targeted is a warning",
        ),
        pytest.param(
            """\
            id: variant
            call: save-lives
            at: "2020-11-02 09:00"
            language: en
            text: "Text. #StopClusterBombsNow"
            variants:
              twitter: "Short. #StopClusterBombsNow"
            """,
            Expected(
                "unknown-field",
                7,
                3,
                "variants are per platform; 'twitter' is not one",
                "use x, facebook, bluesky or mastodon",
            ),
            id="an unknown platform in variants",
        ),
        pytest.param(
            MESSAGE.replace('      text: "Plus que', '      txt: "Plus que'),
            Expected("unknown-field", 10, 7, "unknown field 'txt'", "did you mean 'text'?"),
            id="a misspelt field in a version",
        ),
        pytest.param(
            MESSAGE.replace("    es:\n", "    de:\n"),
            Expected(
                "unknown-field",
                11,
                5,
                "'de' is not one of the campaign's languages",
                "use en, fr or es, or add de to `languages:` in config.yaml",
            ),
            id="a language key the campaign does not have",
        ),
        pytest.param(
            MESSAGE.replace("status: approved", "status: aproved"),
            Expected(
                "status",
                5,
                13,
                "the status 'aproved' is not one of draft, approved or cancelled",
                "did you mean 'approved'?",
            ),
            id="an unknown status suggests the closest",
        ),
        pytest.param(
            MESSAGE.replace(
                "call: join-the-treaty\n    at", "call: [join-the-treaty, save-lives]\n    at"
            ),
            Expected("call", 3, 11, "a post carries exactly one call", "keep one call here"),
            id="a post carries exactly one call",
        ),
        pytest.param(
            MESSAGE.replace("      call: join-the-treaty\n", "      call: save-lives\n"),
            Expected(
                "call-mismatch",
                13,
                13,
                "the es version of four-weeks is for save-lives, but the message is for "
                "join-the-treaty",
                "write `call:` once, at the message level",
            ),
            id="versions that disagree on the call",
        ),
        pytest.param(
            MESSAGE.replace("    status: approved\n", '    status: approved\n    text: "x"\n'),
            Expected(
                "schema",
                6,
                5,
                "`text` cannot sit beside language versions (en, fr or es)",
                "move it into each version",
            ),
            id="text beside language versions is an error",
        ),
        pytest.param(
            MESSAGE.replace(
                "    status: approved\n", "    status: approved\n    video: clip.mp4\n"
            ),
            Expected(
                "media-missing", 6, 12, "the video media/clip.mp4 does not exist", "add the file"
            ),
            id="a video that is not there",
        ),
    ],
)
def test_a_mistake_in_a_post_is_reported_where_it_is_written(
    check: CheckText, text: str, expected: Expected
) -> None:
    check(text).expect(*expected)


def test_an_unknown_call_suggests_the_closest(check: CheckText) -> None:
    checked = check(MESSAGE.replace("call: join-the-treaty\n    at", "call: join-treaty\n    at"))
    assert_problem(
        checked.problems("call")[0],
        checked.path,
        3,
        11,
        "'join-treaty' is not one of the campaign's calls",
        "did you mean 'join-the-treaty'?",
    )


def test_a_post_without_a_call(check: CheckText) -> None:
    text = MESSAGE.replace("    call: join-the-treaty\n    at", "    at").replace(
        "      call: join-the-treaty\n", ""
    )
    checked = check(text)
    problems = checked.problems("call")
    assert len(problems) == 3  # one per language version
    assert_problem(
        problems[0], checked.path, 6, 9, "the post has no call", "add `call:` with exactly one of"
    )


def test_a_missing_language_version_is_a_warning(check: CheckText) -> None:
    checked = check(MESSAGE[: MESSAGE.index("    es:")])
    assert checked.report.errors == []
    checked.expect(
        "languages",
        2,
        5,
        "the message four-weeks has no es version",
        "ignore this warning if the message is for one audience only",
        severity="warning",
    )
    assert checked.report.ok() and not checked.report.ok(strict=True)


def test_a_bare_list_must_go_under_posts(check: CheckText) -> None:
    check("- id: a\n  call: save-lives\n").expect(
        "schema", 1, 1, "the file is a bare list", "put the list under a `posts:` key"
    )


def test_a_platform_variant_replaces_the_text_there(check: CheckText) -> None:
    checked = check(
        """\
        id: variant
        call: save-lives
        at: "2020-11-02 09:00"
        language: en
        text: "A longer text for Facebook. #StopClusterBombsNow"
        variants:
          x: "Short for X. #StopClusterBombsNow"
        """
    )
    assert checked.report.problems == []
    (post,) = checked.report.posts
    assert post.texts == {
        "x": "Short for X. #StopClusterBombsNow",
        "facebook": "A longer text for Facebook. #StopClusterBombsNow",
        "bluesky": "A longer text for Facebook. #StopClusterBombsNow",
        "mastodon": "A longer text for Facebook. #StopClusterBombsNow",
    }


def test_yaml_traps_are_all_reported_with_the_rest(check: CheckText) -> None:
    checked = check(
        """\
        posts:
          - id: first
            call: save-lives
            at: 10:00
            status: yes
            language: en
            text: Save lives #StopClusterBombsNow
          - id: second
            call: livelihods
            at: "2020-11-02 12:00"
            language: en
            text: "Livelihoods. #StopClusterBombsNow"
        """
    )
    rules = [(p.line, p.rule) for p in checked.report.problems]
    # Each trap once (no follow-up "status"/"time"/"hashtag" errors), and the
    # second post is still checked.
    assert rules == [(4, "yaml"), (5, "yaml"), (7, "yaml"), (9, "call")]


def test_an_unreadable_file_is_reported_not_raised(config: CampaignConfig, tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_bytes(b"id: a\ntext: \xff\n")
    from scheduler.content.check import check_paths

    report = check_paths(config, [path, tmp_path / "missing.yaml"])
    assert [(p.path, p.line, p.rule) for p in report.problems] == [
        (str(path), 2, "yaml"),
        (str(tmp_path / "missing.yaml"), 1, "file"),
    ]
    assert report.files_checked == 1
