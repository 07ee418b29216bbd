"""Text rules: the hashtag, X's weighted length, Facebook's limit, the link, targets."""

from __future__ import annotations

import pytest

from scheduler.content.text import check_hashtag, duplicate_key, final_text
from scheduler.platforms.x.text import XLengthCounter
from tests.content.conftest import CheckText, assert_problem

HASHTAG = "#StopClusterBombsNow"


def post_with_text(text: str, extra: str = "") -> str:
    """A one-post file whose text value sits on line 5, column 7."""
    return (
        "id: worded\n"
        "call: save-lives\n"
        'at: "2020-11-02 09:00"\n'
        "language: en\n"
        f"text: {text}\n" + extra
    )


def test_the_hashtag_is_required(check: CheckText) -> None:
    check(post_with_text('"Save lives."')).expect(
        "hashtag",
        5,
        19,  # where it goes: the end of the text, before the closing quote
        "the campaign hashtag #StopClusterBombsNow is missing",
        'add #StopClusterBombsNow to the text (inside the quotes: "... #StopClusterBombsNow")',
    )


def test_the_hashtag_needs_the_campaigns_casing(check: CheckText) -> None:
    check(post_with_text('"Save lives #stopclusterbombsnow"')).expect(
        "hashtag",
        5,
        19,  # at the hashtag itself
        "the hashtag is written #stopclusterbombsnow; the campaign writes it #StopClusterBombsNow",
        "write #StopClusterBombsNow exactly",
    )


def test_a_wrong_hashtag_in_a_block_is_reported_where_it_is_written(check: CheckText) -> None:
    checked = check(
        """\
        id: blocks
        call: save-lives
        at: "2020-11-02 09:00"
        en: >-
          Save lives: girls, boys, women and men.
          Join the Treaty #StopClusterBombsNow
        fr: >-
          Sauvez des vies : filles, garçons,
          femmes et hommes. Rejoignez le traité #stopClusterBombsNow
        es:
          text: |-
            Salven vidas.
            Únanse al Tratado.
        """,
    )
    casing, missing = checked.problems("hashtag")
    assert_problem(
        casing,
        checked.path,
        9,
        41,  # the `#` of #stopClusterBombsNow on the block's second line
        "the hashtag is written #stopClusterBombsNow",
        "write #StopClusterBombsNow exactly",
    )
    assert_problem(
        missing,
        checked.path,
        13,
        23,  # just after "Tratado.", the end of the text, where the hashtag would go
        "the campaign hashtag #StopClusterBombsNow is missing",
        "add #StopClusterBombsNow at the end of the text",
    )


def test_a_hashtag_that_cannot_be_found_in_the_source_points_at_the_first_line(
    check: CheckText,
) -> None:
    # An escape sequence (\u0023 is `#`) hides the written hashtag from a search of
    # the source: the finding falls back to the text's first line, not the `>-`.
    check(
        'id: escaped\ncall: save-lives\nat: "2020-11-02 09:00"\nlanguage: en\n'
        'text: "Save lives\n  and more \\u0023stopclusterbombsnow"\n'
    ).expect("hashtag", 5, 7, "the hashtag is written #stopclusterbombsnow", None)


def test_messages_say_the_rules_in_plain_words(check: CheckText) -> None:
    """A comms person reads these: no developer references such as "platforms.md 1.5"."""
    long_text = "Save lives. " * 30 + HASHTAG
    checked = check(
        post_with_text(f'"{long_text}"', "media: [map, huge, small-1, small-2, small-3]\n")
    )
    rules = {problem.rule for problem in checked.report.problems}
    assert {"x-length", "media-count", "media-format", "media-size"} <= rules
    for problem in checked.report.problems:
        for words in (problem.message, problem.hint or ""):
            assert "platforms.md" not in words and "(1." not in words and "(2." not in words
    x_length = checked.one("x-length")
    assert "X counts every link as 23 characters" in (x_length.hint or "")


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("Go #StopClusterBombsNow!", None),
        ("#StopClusterBombsNow at the start", None),
        ("#STOPCLUSTERBOMBSNOW", "casing"),
        ("#StopClusterBombsNowPlease is another tag", "missing"),
        ("##StopClusterBombsNow", "missing"),
        ("StopClusterBombsNow without the sign", "missing"),
    ],
)
def test_hashtag_matching(text: str, finding: str | None) -> None:
    result = check_hashtag(text, HASHTAG)
    assert (result.kind if result else None) == finding


def test_x_counts_280_weighted_characters(check: CheckText) -> None:
    fits = "a" * (280 - len(HASHTAG) - 1) + " " + HASHTAG
    assert check(post_with_text(f'"{fits}"')).report.problems == []
    check(post_with_text(f'"b{fits}"')).expect(
        "x-length",
        5,
        7,
        "X counts 281 characters; a post on X may have at most 280",
        "shorten it by 1 character (X counts every link as 23 characters, and an emoji or a "
        "Chinese, Japanese or Korean character as 2)",
    )


def test_x_counts_cjk_and_emoji_double_and_urls_as_23() -> None:
    counter = XLengthCounter()
    assert counter.overflow("日" * 140) is None
    assert counter.overflow("日" * 141) == 282
    assert counter.weighted_length("😷 👨‍👩‍👧‍👦 🇯🇵") == 8
    long_url = "https://www.example.org/" + "x" * 300
    assert counter.overflow(f"see {long_url} " + "a" * 240) is None  # 4 + 23 + 1 + 240
    # NFC: "e" + combining acute counts as one character.
    assert counter.overflow("e\u0301" * 280) is None
    assert counter.overflow("e\u0301" * 281) == 281
    assert counter.overflow("") == 0


def test_the_link_counts_on_x(check: CheckText) -> None:
    body = "a" * (280 - 25 - len(HASHTAG)) + " " + HASHTAG  # 256 + 2 newlines + 23 = 281
    check(post_with_text(f'"{body}"', 'link: "https://www.clusterconvention.org"\n')).expect(
        "x-length", 5, 7, "X counts 281 characters, the link included", "shorten it by 1"
    )


def test_facebook_takes_63206_characters(check: CheckText) -> None:
    body = "a" * (63_206 - len(HASHTAG)) + HASHTAG
    check(post_with_text(f'"{body}b"', "targets: [facebook]\n")).expect(
        "facebook-length",
        5,
        7,
        "the text has 63207 characters; Facebook takes at most 63206",
        "shorten it by 1",
    )


def test_an_empty_text(check: CheckText) -> None:
    checked = check(post_with_text('"   "'))
    assert_problem(
        checked.problems("text")[0],
        checked.path,
        5,
        7,
        "the text is empty",
        "write the post's text",
    )


def test_a_link_must_be_a_web_address(check: CheckText) -> None:
    check(post_with_text(f'"Save lives {HASHTAG}"', "link: www.clusterconvention.org\n")).expect(
        "link", 6, 7, "'www.clusterconvention.org' is not a web address", 'starting with "https://"'
    )


def test_the_link_is_appended_once() -> None:
    link = "https://www.clusterconvention.org"
    assert final_text("  Join. #Tag  ", link) == f"Join. #Tag\n\n{link}"
    assert final_text(f"Read {link} #Tag", link) == f"Read {link} #Tag"
    assert final_text("Join. #Tag", None) == "Join. #Tag"


def test_duplicate_key_ignores_case_spacing_and_normal_form() -> None:
    assert duplicate_key("Join  the\nTreaty") == duplicate_key("join the treaty ")
    assert duplicate_key("caf\u00e9") == duplicate_key("cafe\u0301")
    assert duplicate_key("Join the Treaty") != duplicate_key("Join the Treaty!")


def test_targets_by_platform_and_label(check: CheckText) -> None:
    text = post_with_text(f'"Save lives {HASHTAG}"')
    only_facebook = check(text + "targets: [facebook]\n")
    assert only_facebook.report.posts[0].targets == ("facebook-main",)
    assert set(only_facebook.report.posts[0].texts) == {"facebook"}
    by_label = check(text + "targets: x-main\n")
    assert by_label.report.posts[0].targets == ("x-main",)


def post_targeting(targets: str, language: str = "en") -> str:
    """A one-post file whose `targets` value sits on line 6."""
    text = post_with_text(f'"Save lives {HASHTAG}"').replace(
        "language: en", f"language: {language}"
    )
    return text + f"targets: {targets}\n"


@pytest.mark.parametrize(
    ("targets", "unknown", "column", "fix"),
    [
        pytest.param("[x, facebok]", "facebok", 14, "did you mean 'facebook'?", id="a misspelling"),
        pytest.param("twitter", "twitter", 10, "Twitter is now X: write x", id="twitter is now x"),
    ],
)
def test_an_unknown_target_suggests_the_closest(
    check: CheckText, targets: str, unknown: str, column: int, fix: str
) -> None:
    message = f"'{unknown}' is neither a platform nor an account label"
    check(post_targeting(targets)).expect("targets", 6, column, message, fix)


def test_an_account_that_does_not_carry_the_language(check: CheckText) -> None:
    check(post_targeting("[x-main]", language="fr")).expect(
        "targets",
        6,
        11,
        "the account x-main carries en, not fr",
        "target x-fr, facebook-main, bluesky-main or mastodon-main, or add fr to x-main's "
        "`languages` in config.yaml",
    )


def test_text_written_in_another_unicode_form_is_stored_in_nfc(check: CheckText) -> None:
    import unicodedata

    composed = "Rejoignez le traité, États ! #StopClusterBombsNow"
    written = unicodedata.normalize("NFD", composed)
    checked = check(
        'id: accents\ncall: join-the-treaty\nat: "2020-11-02 09:00"\nlanguage: fr\n'
        f'text: "{written}"\n'
    )
    assert checked.report.problems == []
    (post,) = checked.report.posts
    assert set(post.texts.values()) == {composed}
