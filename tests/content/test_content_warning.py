"""A post's content warning: per post and per language version, sent only where a
platform shows one (Mastodon), counted with the text as Mastodon counts it, and
part of what sync compares."""

from __future__ import annotations

from scheduler.content.resolved import content_hash
from tests.content.conftest import CheckText


def one_post(targets: str, warning: str, text: str = "Bomblets kill. #StopClusterBombsNow") -> str:
    """A one-post file whose `content_warning` value sits on line 6, column 18."""
    return (
        "id: survivors\n"
        "call: join-the-treaty\n"
        'at: "2020-11-02 09:00"\n'
        "language: en\n"
        f'text: "{text}"\n'
        f"content_warning: {warning}\n"
        f"targets: {targets}\n"
    )


def test_a_content_warning_goes_with_a_mastodon_post(check: CheckText) -> None:
    checked = check(one_post("[mastodon]", "  Images of   injured children "))
    assert checked.report.problems == []
    [post] = checked.report.posts
    assert post.content_warning == "Images of injured children"


def test_a_content_warning_changes_the_content_hash_only_when_written(check: CheckText) -> None:
    [plain] = check(one_post("[mastodon]", "x").replace("content_warning: x\n", "")).report.posts
    [warned] = check(one_post("[mastodon]", "Graphic images")).report.posts
    [other] = check(one_post("[mastodon]", "Injured people")).report.posts
    assert plain.content_warning is None
    before = content_hash(plain.texts, plain.media, plain.link, plain.alt_texts, plain.video)
    assert plain.content_hash == before  # posts stored before the field keep their hash
    assert len({plain.content_hash, warned.content_hash, other.content_hash}) == 3


def test_platforms_without_a_content_warning_get_a_note(check: CheckText) -> None:
    checked = check(one_post("[x, mastodon]", "Graphic images"))
    checked.expect(
        "content-warning",
        6,
        18,
        "goes only to Mastodon; on X the post appears without it",
        "suits readers on X",
        severity="note",
    )
    assert checked.report.ok(strict=True)
    [post] = checked.report.posts
    assert post.content_warning == "Graphic images"


def test_an_empty_content_warning_is_an_error_with_a_fix(check: CheckText) -> None:
    checked = check(one_post("[mastodon]", '"   "'))
    checked.expect("content-warning", 6, 18, "the content warning is empty", "or remove the line")


def test_a_content_warning_over_lines_is_an_error(check: CheckText) -> None:
    checked = check(one_post("[mastodon]", '"Graphic\\nimages"'))
    checked.expect("content-warning", 6, 18, "several lines", "write it on one line")


def test_mastodon_counts_the_warning_with_the_text(check: CheckText) -> None:
    text = "a" * 440 + " #StopClusterBombsNow"  # 461 of Mastodon's 500
    checked = check(one_post("[mastodon]", "é" * 40, text))
    checked.expect(
        "mastodon-length",
        6,
        18,
        "counts the content warning with the text: 40 + 461 = 501 characters",
        "shorten the warning or the text by 1 characters",
    )
    fits = check(one_post("[mastodon]", "é" * 39, text))
    assert fits.report.problems == []


def test_a_text_too_long_alone_is_reported_once_at_the_text(check: CheckText) -> None:
    text = "a" * 500 + " #StopClusterBombsNow"
    checked = check(one_post("[mastodon]", "Graphic images", text))
    [problem] = checked.problems("mastodon-length")
    assert problem.line == 5


def test_each_language_version_has_its_own_warning(check: CheckText) -> None:
    checked = check(
        "id: survivors\n"
        "call: join-the-treaty\n"
        'at: "2020-11-02 09:00"\n'
        "targets: [mastodon]\n"
        "en:\n"
        "  text: Bomblets kill. #StopClusterBombsNow\n"
        "  content_warning: Injured children\n"
        "fr:\n"
        "  text: Les sous-munitions tuent. #StopClusterBombsNow\n"
        "  content_warning: Enfants blessés\n"
    )
    assert not [p for p in checked.report.problems if p.rule in ("content-warning", "schema")]
    warnings = {post.language: post.content_warning for post in checked.report.posts}
    assert warnings == {"en": "Injured children", "fr": "Enfants blessés"}


def test_a_message_wide_warning_beside_versions_is_refused(check: CheckText) -> None:
    checked = check(
        "id: survivors\n"
        "call: join-the-treaty\n"
        'at: "2020-11-02 09:00"\n'
        "targets: [mastodon]\n"
        "content_warning: Injured children\n"
        "en: Bomblets kill. #StopClusterBombsNow\n"
    )
    problem = next(p for p in checked.problems("schema") if "content_warning" in p.message)
    assert (problem.line, problem.column) == (5, 1)
    assert problem.hint is not None and "move it into each version" in problem.hint


def test_a_warning_on_a_post_for_x_alone_says_where_warnings_go(check: CheckText) -> None:
    checked = check(one_post("[x]", "Graphic images"))
    checked.expect(
        "content-warning", 6, 18, "goes only to Mastodon; on X the post appears without it", None,
        severity="note",
    )  # fmt: skip
