"""A post's link card (``link_card:``): title, description and thumbnail, per post
and per language version, checked with plain-words errors at the exact place,
and part of the content hash only when written."""

from __future__ import annotations

from scheduler.content.resolved import content_hash
from tests.content.conftest import CheckText

HEAD = (
    "id: survivors\n"
    "call: join-the-treaty\n"
    'at: "2020-11-02 09:00"\n'
    "language: en\n"
    'text: "Bomblets kill. #StopClusterBombsNow"\n'
    "targets: [bluesky]\n"
)


def card_post(card: str, link: str = "link: https://www.stopclustermunitions.org/\n") -> str:
    """A one-post file; ``card`` (its lines) starts on line 8 (line 7 with no link)."""
    return HEAD + link + card


def test_a_written_card_is_resolved_and_stored_with_the_post(check: CheckText) -> None:
    checked = check(
        card_post(
            "link_card:\n"
            "  title: '  Cluster   Munition Coalition '\n"
            "  description: The treaty banning cluster bombs\n"
            "  thumbnail: small-1\n"
        )
    )
    checked.expect("link-card", 8, 1, "Bluesky shows this post's images", None, "note")
    [post] = checked.report.posts
    assert post.link_card == {
        "title": "Cluster Munition Coalition",
        "description": "The treaty banning cluster bombs",
        "thumbnail": "graphics/small-1.png",
    }


def test_the_card_changes_the_hash_only_when_written(check: CheckText) -> None:
    [plain] = check(card_post("")).report.posts
    [carded] = check(card_post("link_card:\n  title: CMC\n")).report.posts
    [other] = check(card_post("link_card:\n  title: CMC\n  description: ban\n")).report.posts
    assert plain.link_card is None
    before = content_hash(plain.texts, plain.media, plain.link, plain.alt_texts, plain.video)
    assert plain.content_hash == before  # posts stored before the field keep their hash
    assert len({plain.content_hash, carded.content_hash, other.content_hash}) == 3


def test_a_card_without_a_link_is_an_error_with_a_fix(check: CheckText) -> None:
    checked = check(card_post("link_card:\n  title: CMC\n", link=""))
    checked.expect("link-card", 7, 1, "the post has no `link:`", "add `link: https://...`")


def test_a_card_needs_a_title(check: CheckText) -> None:
    checked = check(card_post("link_card:\n  description: only this\n"))
    problems = checked.report.problems
    assert problems and all(p.severity == "error" for p in problems)
    assert any("title" in p.message for p in problems), problems
    blank = check(card_post("link_card:\n  title: '   '\n"))
    blank.expect("link-card", 9, 10, "title is empty", "title: ...")


def test_a_heavy_thumbnail_is_refused_with_bluesky_s_limit(check: CheckText) -> None:
    checked = check(card_post("link_card:\n  title: CMC\n  thumbnail: heavy\n"))
    checked.expect("link-card", 10, 14, "Bluesky takes at most 1,000,000", "smaller copy")


def test_a_thumbnail_that_is_not_an_image_or_not_known(check: CheckText) -> None:
    fake = check(card_post("link_card:\n  title: CMC\n  thumbnail: fake\n"))
    fake.expect("link-card", 10, 14, "not an image Bluesky can show", "JPEG or PNG")
    unknown = check(card_post("link_card:\n  title: CMC\n  thumbnail: nowhere\n"))
    unknown.expect("media-unknown", 10, 14, "not one of the campaign's images", "use one of")
    escape = check(card_post("link_card:\n  title: CMC\n  thumbnail: ../config.yaml\n"))
    escape.expect("media-escape", 10, 14, "outside the media/ folder", "inside media/")


def test_a_misspelt_card_field_gets_did_you_mean(check: CheckText) -> None:
    checked = check(card_post("link_card:\n  title: CMC\n  descripton: ban\n"))
    problem = checked.problems()[0]
    assert problem.line == 10 and problem.severity == "error"
    assert problem.hint is not None and "description" in problem.hint


def test_each_language_version_has_its_own_card(check: CheckText) -> None:
    checked = check(
        "id: treaty\n"
        "call: join-the-treaty\n"
        'at: "2020-11-02 09:00"\n'
        "link: https://www.stopclustermunitions.org/\n"
        "targets: [bluesky]\n"
        "link_card:\n"
        "  title: Cluster Munition Coalition\n"
        "en:\n"
        '  text: "Bomblets kill. #StopClusterBombsNow"\n'
        "fr:\n"
        '  text: "Les sous-munitions tuent. #StopClusterBombsNow"\n'
        '  at: "+30 min"\n'
        "  link_card:\n"
        "    title: Coalition contre les sous-munitions\n"
        "    description: Le traité\n"
    )
    errors = [p for p in checked.report.problems if p.severity == "error"]
    assert errors == [], errors
    cards = {post.language: post.link_card for post in checked.report.posts}
    assert cards["en"] == {"title": "Cluster Munition Coalition", "description": ""}
    assert cards["fr"] == {
        "title": "Coalition contre les sous-munitions",
        "description": "Le traité",
    }
