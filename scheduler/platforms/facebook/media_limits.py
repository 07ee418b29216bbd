"""What Facebook Pages take as a post's media, stated once: the profile answers
``media_rules`` with it, the publisher and the stand-in refuse what it refuses
(so a rehearsal fails the way the Graph would), each limit with its source.
"""

from __future__ import annotations

from scheduler.platforms.facts import MEGABYTE, MediaRules, VideoRules

FACEBOOK_MEDIA = MediaRules(
    max_images=None,
    max_image_bytes=4 * MEGABYTE,
    image_bytes_inclusive=False,
    image_formats=frozenset({"JPEG", "PNG", "GIF", "TIFF", "HEIF", "WEBP"}),
    max_video_bytes=2000 * MEGABYTE,
    alt_text_max_chars=None,  # no documented maximum (platforms-2026.md 4.2: UNCERTAIN)
    keeps_exif_orientation=False,
    video=VideoRules(
        max_bytes=2000 * MEGABYTE,
        extensions=frozenset(
            [
                "3g2",
                "3gp",
                "3gpp",
                "asf",
                "avi",
                "dat",
                "divx",
                "dv",
                "f4v",
                "flv",
                "gif",
                "m2ts",
                "m4v",
                "mkv",
                "mod",
                "mov",
                "mp4",
                "mpe",
                "mpeg",
                "mpeg4",
                "mpg",
                "mts",
                "nsv",
                "ogm",
                "ogv",
                "qt",
                "tod",
                "ts",
                "vob",
                "wmv",
            ]
        ),
        audio_codecs=frozenset({"aac"}),
        takes_title=True,
        takes_alt_text=False,  # a Page video has a title and description, no alt text
    ),
    sources={
        "video": "platforms-2026.md 4.1 (video reference: formats, AAC audio; 2 GB, 1363023)",
        "alt_text_max_chars": "platforms-2026.md 4.2 (alt_text_custom; no maximum found)",
        "max_image_bytes": "platforms.md 2.2",
        "image_formats": "platforms.md 2.2",
        "max_video_bytes": "platforms-2026.md 4.1 (error subcode 1363023)",
    },
)
