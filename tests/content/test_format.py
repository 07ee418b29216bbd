"""The post format: file shapes, ids, language versions, schema errors with their fix."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from scheduler.config import CampaignConfig
from tests.content.conftest import assert_problem, write_and_check

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


def test_a_message_becomes_one_post_per_language(config: CampaignConfig, tmp_path: Path) -> None:
    checked = write_and_check(config, tmp_path, MESSAGE)
    assert checked.report.problems == []
    by_id = {post.id: post for post in checked.report.posts}
    assert list(by_id) == ["four-weeks-en", "four-weeks-fr", "four-weeks-es"]
    english, french = by_id["four-weeks-en"], by_id["four-weeks-fr"]
    assert english.message_id == "four-weeks" and english.language == "en"
    assert english.status == "approved" and english.call == "join-the-treaty"
    assert english.publish_at == datetime(2020, 10, 26, 8, 0, tzinfo=UTC)
    assert french.publish_at == datetime(2020, 10, 26, 8, 30, tzinfo=UTC)
    assert english.targets == ("x-main", "facebook-main")
    assert french.targets == ("x-fr", "facebook-main")
    assert english.media == ("logos/en/join-the-treaty.png",)
    assert french.media == ("logos/fr/join-the-treaty.png",)
    link = "https://www.clusterconvention.org"
    assert english.texts == {
        "x": f"Four weeks to Lausanne. #StopClusterBombsNow\n\n{link}",
        "facebook": f"Four weeks to Lausanne. #StopClusterBombsNow\n\n{link}",
    }
    assert english.link == link
    assert english.source_line == 7 and french.source_line == 9


def test_a_one_post_file_takes_its_id_from_the_file_name(
    config: CampaignConfig, tmp_path: Path
) -> None:
    checked = write_and_check(
        config,
        tmp_path,
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


def test_a_post_in_a_list_needs_an_id(config: CampaignConfig, tmp_path: Path) -> None:
    checked = write_and_check(
        config,
        tmp_path,
        """\
        posts:
          - call: save-lives
            at: "2020-11-02 09:00"
            language: en
            text: "Save lives. #StopClusterBombsNow"
        """,
    )
    assert_problem(
        checked.one("id"),
        checked.path,
        2,
        5,
        "a post in a file with several posts needs an `id`",
        "add `id: some-words`",
    )
    assert checked.report.posts == []


def test_an_id_with_capitals_or_spaces_is_an_error(config: CampaignConfig, tmp_path: Path) -> None:
    checked = write_and_check(
        config,
        tmp_path,
        """\
        id: Four Weeks
        call: save-lives
        at: "2020-11-02 09:00"
        language: en
        text: "Save lives. #StopClusterBombsNow"
        """,
    )
    assert_problem(
        checked.one("id"),
        checked.path,
        1,
        5,
        "may hold only lowercase letters, digits and hyphens",
        "`id: four-weeks`",
    )


def test_a_misspelt_field_gets_did_you_mean(config: CampaignConfig, tmp_path: Path) -> None:
    checked = write_and_check(
        config,
        tmp_path,
        """\
        id: typo
        call: save-lives
        at: "2020-11-02 09:00"
        language: en
        text: "Save lives. #StopClusterBombsNow"
        staus: approved
        """,
    )
    assert_problem(
        checked.one("unknown-field"),
        checked.path,
        6,
        1,
        "unknown field 'staus'",
        "did you mean 'status'?",
    )


def test_a_misspelt_field_in_a_version(config: CampaignConfig, tmp_path: Path) -> None:
    text = MESSAGE.replace('      text: "Plus que', '      txt: "Plus que')
    checked = write_and_check(config, tmp_path, text)
    assert_problem(
        checked.one("unknown-field"),
        checked.path,
        10,
        7,
        "unknown field 'txt'",
        "did you mean 'text'?",
    )


def test_a_language_key_the_campaign_does_not_have(config: CampaignConfig, tmp_path: Path) -> None:
    text = MESSAGE.replace("    es:\n", "    de:\n")
    checked = write_and_check(config, tmp_path, text)
    assert_problem(
        checked.one("unknown-field"),
        checked.path,
        11,
        5,
        "'de' is not one of the campaign's languages",
        "use en, fr or es, or add de to `languages:` in config.yaml",
    )


def test_a_language_the_campaign_does_not_have(config: CampaignConfig, tmp_path: Path) -> None:
    checked = write_and_check(
        config,
        tmp_path,
        """\
        id: german
        call: save-lives
        at: "2020-11-02 09:00"
        language: dee
        text: "Save lives. #StopClusterBombsNow"
        """,
    )
    assert_problem(
        checked.one("language"),
        checked.path,
        4,
        11,
        "'dee' is not one of the campaign's languages (en, fr or es)",
        "use a language from config.yaml",
    )


def test_text_that_yaml_reads_as_a_number_must_be_quoted(
    config: CampaignConfig, tmp_path: Path
) -> None:
    checked = write_and_check(
        config,
        tmp_path,
        """\
        id: number
        call: save-lives
        at: "2020-11-02 09:00"
        language: en
        text: 19.10
        """,
    )
    assert_problem(
        checked.one("schema"),
        checked.path,
        5,
        7,
        "`text` must be text, but YAML read 19.10 as a float",
        'quote it: "19.10"',
    )


def test_an_unknown_status_suggests_the_closest(config: CampaignConfig, tmp_path: Path) -> None:
    text = MESSAGE.replace("status: approved", "status: aproved")
    checked = write_and_check(config, tmp_path, text)
    assert_problem(
        checked.one("status"),
        checked.path,
        5,
        13,
        "the status 'aproved' is not one of draft, approved or cancelled",
        "did you mean 'approved'?",
    )


def test_an_unknown_call_suggests_the_closest(config: CampaignConfig, tmp_path: Path) -> None:
    text = MESSAGE.replace("call: join-the-treaty\n    at", "call: join-treaty\n    at")
    checked = write_and_check(config, tmp_path, text)
    problem = checked.problems("call")[0]
    assert_problem(
        problem,
        checked.path,
        3,
        11,
        "'join-treaty' is not one of the campaign's calls",
        "did you mean 'join-the-treaty'?",
    )


def test_a_post_carries_exactly_one_call(config: CampaignConfig, tmp_path: Path) -> None:
    text = MESSAGE.replace(
        "call: join-the-treaty\n    at", "call: [join-the-treaty, save-lives]\n    at"
    )
    checked = write_and_check(config, tmp_path, text)
    assert_problem(
        checked.one("call"),
        checked.path,
        3,
        11,
        "a post carries exactly one call",
        "keep one call here",
    )


def test_a_post_without_a_call(config: CampaignConfig, tmp_path: Path) -> None:
    text = MESSAGE.replace("    call: join-the-treaty\n    at", "    at").replace(
        "      call: join-the-treaty\n", ""
    )
    checked = write_and_check(config, tmp_path, text)
    problems = checked.problems("call")
    assert len(problems) == 3  # one per language version
    assert_problem(
        problems[0], checked.path, 6, 9, "the post has no call", "add `call:` with exactly one of"
    )


def test_versions_that_disagree_on_the_call(config: CampaignConfig, tmp_path: Path) -> None:
    text = MESSAGE.replace("      call: join-the-treaty\n", "      call: save-lives\n")
    checked = write_and_check(config, tmp_path, text)
    assert_problem(
        checked.one("call-mismatch"),
        checked.path,
        13,
        13,
        "the es version of four-weeks is for save-lives, but the message is for join-the-treaty",
        "write `call:` once, at the message level",
    )


def test_a_missing_language_version_is_a_warning(config: CampaignConfig, tmp_path: Path) -> None:
    text = MESSAGE[: MESSAGE.index("    es:")]
    checked = write_and_check(config, tmp_path, text)
    assert checked.report.errors == []
    assert_problem(
        checked.one("languages"),
        checked.path,
        2,
        5,
        "the message four-weeks has no es version",
        "ignore this warning if the message is for one audience only",
        severity="warning",
    )
    assert checked.report.ok() and not checked.report.ok(strict=True)


def test_text_beside_language_versions_is_an_error(config: CampaignConfig, tmp_path: Path) -> None:
    text = MESSAGE.replace("    status: approved\n", '    status: approved\n    text: "x"\n')
    checked = write_and_check(config, tmp_path, text)
    assert_problem(
        checked.one("schema"),
        checked.path,
        6,
        5,
        "`text` cannot sit beside language versions (en, fr or es)",
        "move it into each version",
    )


def test_a_bare_list_must_go_under_posts(config: CampaignConfig, tmp_path: Path) -> None:
    checked = write_and_check(config, tmp_path, "- id: a\n  call: save-lives\n")
    assert_problem(
        checked.one("schema"),
        checked.path,
        1,
        1,
        "the file is a bare list",
        "put the list under a `posts:` key",
    )


def test_a_platform_variant_replaces_the_text_there(config: CampaignConfig, tmp_path: Path) -> None:
    checked = write_and_check(
        config,
        tmp_path,
        """\
        id: variant
        call: save-lives
        at: "2020-11-02 09:00"
        language: en
        text: "A longer text for Facebook. #StopClusterBombsNow"
        variants:
          x: "Short for X. #StopClusterBombsNow"
        """,
    )
    assert checked.report.problems == []
    (post,) = checked.report.posts
    assert post.texts == {
        "x": "Short for X. #StopClusterBombsNow",
        "facebook": "A longer text for Facebook. #StopClusterBombsNow",
    }


def test_a_variant_for_a_platform_not_targeted_is_a_warning(
    config: CampaignConfig, tmp_path: Path
) -> None:
    checked = write_and_check(
        config,
        tmp_path,
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
    )
    assert_problem(
        checked.one("variants"),
        checked.path,
        8,
        3,
        "a x variant, but the post does not go to x",
        "add x to targets",
        severity="warning",
    )


def test_an_unknown_platform_in_variants(config: CampaignConfig, tmp_path: Path) -> None:
    checked = write_and_check(
        config,
        tmp_path,
        """\
        id: variant
        call: save-lives
        at: "2020-11-02 09:00"
        language: en
        text: "Text. #StopClusterBombsNow"
        variants:
          twitter: "Short. #StopClusterBombsNow"
        """,
    )
    assert_problem(
        checked.one("unknown-field"),
        checked.path,
        7,
        3,
        "variants are per platform; 'twitter' is not one",
        "use x or facebook",
    )


def test_video_is_reserved_for_a_later_version(config: CampaignConfig, tmp_path: Path) -> None:
    text = MESSAGE.replace("    status: approved\n", "    status: approved\n    video: clip.mp4\n")
    checked = write_and_check(config, tmp_path, text)
    assert_problem(
        checked.one("video"),
        checked.path,
        6,
        5,
        "video posts are not supported yet",
        "remove `video:`",
    )


def test_yaml_traps_are_all_reported_with_the_rest(config: CampaignConfig, tmp_path: Path) -> None:
    checked = write_and_check(
        config,
        tmp_path,
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
        """,
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
