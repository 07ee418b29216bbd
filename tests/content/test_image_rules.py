"""Images checked per platform before queueing: pixel dimensions, animated GIFs'
frames, EXIF orientation, transparency; and alt text per image and language."""

from __future__ import annotations

from tests.content.conftest import CheckText


def picture_post(path: str, targets: str = "[x]", alt: str = "") -> str:
    """A one-post file whose `media` list sits on line 5 (the entry at column 9)."""
    return (
        "id: pictured\n"
        "call: join-the-treaty\n"
        'at: "2020-11-02 09:00"\n'
        "language: en\n"
        f"media: [{path}]\n"
        'text: "Join the Treaty. #StopClusterBombsNow"\n'
        f"targets: {targets}\n"
        f'alt:\n  "{path}": "{alt or "A picture."}"\n'
    )


def test_a_9000_by_300_png_is_refused_on_x(check: CheckText) -> None:
    check(picture_post("banner")).expect(
        "media-pixels",
        5,
        8,
        "graphics/banner.png is 9000x300 pixels; X takes images of at most 8192x8192",
        "resize it to fit within 8192x8192",
    )


def test_an_animated_gif_of_too_many_frames_is_refused(check: CheckText) -> None:
    check(picture_post("long-gif")).expect(
        "media-gif",
        5,
        8,
        "graphics/long.gif has 351 frames; X takes animated GIFs of at most 350",
        "ffmpeg -i graphics/long.gif",
    )


def test_a_phone_photo_relying_on_exif_orientation_is_a_warning(check: CheckText) -> None:
    check(picture_post("phone", "[x, facebook]")).problems("media-orientation")
    checked = check(picture_post("phone"))
    checked.expect(
        "media-orientation",
        5,
        8,
        "graphics/phone.jpg is stored turned or mirrored and relies on its EXIF orientation (6)",
        "-auto-orient",
        severity="warning",
    )


def test_a_transparent_png_gets_a_note_on_x_only(check: CheckText) -> None:
    on_x = check(picture_post("clear"))
    on_x.expect(
        "media-transparency",
        5,
        8,
        "several X apps show transparent parts as black",
        "solid background",
        severity="note",
    )
    assert on_x.report.ok(strict=True)  # a note never fails the check
    assert check(picture_post("clear", "[facebook]")).problems() == []


def post_with_alt(alt: str) -> str:
    return (
        "id: described\n"
        "call: join-the-treaty\n"
        'at: "2020-11-02 09:00"\n'
        "media: [12-reasons]\n"
        "en:\n"
        '  text: "Join the Treaty. #StopClusterBombsNow"\n'
        f"{alt}"
    )


def test_alt_text_per_image_and_language(check: CheckText) -> None:
    checked = check(post_with_alt('  alt:\n    12-reasons: "Twelve reasons, numbered."\n'))
    [post] = checked.report.posts
    assert [image.alt for image in post.images] == [
        "Stop Cluster Bombs Now! campaign logo: Join the Treaty",  # media.logo_alt
        "Twelve reasons, numbered.",
    ]


def test_a_missing_alt_text_is_an_error_when_required(check: CheckText) -> None:
    check(post_with_alt("")).expect(
        "alt-missing",
        4,
        8,
        "the image media/graphics/12-reasons.png has no alt text in English",
        'add `alt:` with `12-reasons: "what the image shows"` to the en text',
    )


def test_alt_text_for_an_image_the_post_does_not_carry(check: CheckText) -> None:
    checked = check(post_with_alt('  alt:\n    12-reasons: "Twelve."\n    map: "A map."\n'))
    checked.expect(
        "alt-unknown",
        9,
        5,
        "`alt:` describes 'map', which is not one of this post's images",
        "logo or 12-reasons",
    )


def test_alt_text_longer_than_x_takes(check: CheckText) -> None:
    long = "a" * 1001
    check(post_with_alt(f'  alt:\n    12-reasons: "{long}"\n')).expect(
        "alt-length",
        8,
        17,
        "the alt text of '12-reasons' has 1001 characters; X takes at most 1000",
        "shorten it by 1 characters",
    )


def test_alt_text_beside_language_versions_is_an_error(check: CheckText) -> None:
    """Alt text is written in one language: at the message level it would give the
    French post the English description."""
    text = (
        "id: described\n"
        "call: join-the-treaty\n"
        'at: "2020-11-02 09:00"\n'
        "media: [12-reasons]\n"
        "alt:\n"
        '  12-reasons: "Twelve reasons."\n'
        'en: "Join the Treaty. #StopClusterBombsNow"\n'
        'fr: "Rejoignez le traité. #StopClusterBombsNow"\n'
    )
    check(text).expect(
        "schema", 5, 1, "`alt` cannot sit beside language versions", "move it into each version"
    )
