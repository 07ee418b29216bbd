"""What X takes as a post's media, stated once: the profile answers
``media_rules`` with it and the stand-in refuses what it refuses (so a
rehearsal fails the way X would), each limit with its source.
"""

from __future__ import annotations

from scheduler.platforms.facts import MEGABYTE, MediaRules, VideoRules

X_MEDIA = MediaRules(
    max_images=4,
    max_image_bytes=5 * MEGABYTE,
    image_bytes_inclusive=True,
    image_formats=frozenset({"JPEG", "PNG", "GIF", "WEBP"}),
    max_animated_gif_bytes=15 * MEGABYTE,
    animated_gif_alone=True,
    # No maximum on docs.x.com; 8192x8192 (and 4x4) only in third-party guides
    # (platforms-2026.md 1.2: UNCERTAIN): the larger X refuses in practice.
    max_image_pixels=(8192, 8192),
    min_image_pixels=(4, 4),
    max_gif_frames=350,
    max_gif_total_pixels=300_000_000,
    max_gif_pixels=(1280, 1080),
    max_video_bytes=512 * MEGABYTE,
    images_and_video_mix=False,
    alt_text_max_chars=1000,
    keeps_exif_orientation=False,
    transparency_note="several X apps show transparent parts as black",
    # FINALIZE's expires_after_secs: 86400 in the docs' example (platforms-2026.md 1.1)
    media_id_lifetime_s=86_400,
    video=VideoRules(
        max_bytes=512 * MEGABYTE,
        extensions=frozenset({"mp4", "mov"}),
        video_codecs=frozenset({"h264"}),
        audio_codecs=frozenset({"aac"}),
        min_duration_s=0.5,
        max_duration_s=140,
        min_pixels=(32, 32),
        max_pixels=(1280, 1024),
        max_fps=60,
        pixel_formats=frozenset({"yuv420p", "yuvj420p"}),
        takes_title=False,
        takes_alt_text=False,  # "alt text can only be added to images" (platforms-2026.md 1.1)
    ),
    sources={
        "max_image_pixels": "platforms-2026.md 1.2 (third-party guides; UNCERTAIN)",
        "min_image_pixels": "platforms-2026.md 1.2 (third-party guides; UNCERTAIN)",
        "max_gif_frames": "platforms-2026.md 1.2 (docs.x.com best practices)",
        "max_gif_total_pixels": "platforms-2026.md 1.2 (docs.x.com best practices)",
        "max_gif_pixels": "platforms-2026.md 1.2 (recommended)",
        "video": "platforms-2026.md 1.2 (docs.x.com best practices, introduction)",
        "keeps_exif_orientation": "X strips image metadata on upload (EXIF included)",
        "max_images": "platforms.md 1.6",
        "max_image_bytes": "platforms.md 1.6",
        "image_formats": "platforms.md 1.6",
        "max_animated_gif_bytes": "platforms.md 1.6",
        "animated_gif_alone": "platforms.md 1.6",
        "max_video_bytes": "platforms-2026.md 1.2",
        "images_and_video_mix": "platforms-2026.md 1.2",
        "alt_text_max_chars": "platforms-2026.md 1.1",
    },
)
