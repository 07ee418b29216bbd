"""Make the stand-in member videos in the media folder.

The coalition's real member videos are not available to the project, so this
script encodes one short stand-in per language with PyAV (whose wheels ship
FFmpeg with an H.264 encoder): a title card with the campaign's slogan and the
language, a moving bar so players show motion, and a quiet tone as the sound
track. They are what every platform here takes: H.264 High profile, 8-bit
4:2:0, 30 frames per second, 1280x720, AAC audio, MP4 with its index first.
The team replaces the files with the real videos under the same names.

Usage (from the repository root)::

    .venv/bin/python scripts/make_videos.py             # media/videos/member-{en,fr,es}.mp4
    .venv/bin/python scripts/make_videos.py --seconds 8

:func:`write_video` also makes the damaged and unusual files the tests need
(10-bit, rotated, variable frame rate, no sound, too long).
"""

from __future__ import annotations

import argparse
import array
import math
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
TITLES = {
    "en": "Member video: join the Convention",
    "fr": "Vidéo des membres : rejoignez la Convention",
    "es": "Video de los miembros: únanse a la Convención",
}
SLOGAN = "STOP CLUSTER BOMBS NOW!"


def _card(size: tuple[int, int], title: str) -> Image.Image:
    image = Image.new("RGB", size, (20, 33, 61))
    draw = ImageDraw.Draw(image)
    try:
        big = ImageFont.truetype("DejaVuSans-Bold.ttf", max(size[1] // 12, 10))
        small = ImageFont.truetype("DejaVuSans.ttf", max(size[1] // 24, 8))
    except OSError:
        big = small = ImageFont.load_default()
    draw.text((size[0] // 16, size[1] // 3), SLOGAN, font=big, fill=(252, 163, 17))
    draw.text((size[0] // 16, size[1] // 2), title, font=small, fill=(255, 255, 255))
    return image


def write_video(
    path: Path,
    *,
    seconds: float = 6.0,
    size: tuple[int, int] = (1280, 720),
    fps: int = 30,
    title: str = "",
    pixel_format: str = "yuv420p",
    audio: bool = True,
    rotation: int = 0,
    variable_rate: bool = False,
    container: str | None = None,
) -> Path:
    """Encode an H.264 video of ``seconds`` at ``path``; the options make the unusual
    files people have (10-bit ``yuv420p10le``, a phone's ``rotation`` tag, a
    ``variable_rate``, no ``audio``). Deterministic for the same arguments."""
    path.parent.mkdir(parents=True, exist_ok=True)
    card = _card(size, title)
    frames = max(int(seconds * fps), 1)
    options = {"movflags": "+faststart"} if container is None else {}
    with av.open(str(path), mode="w", format=container, options=options) as output:
        stream = output.add_stream("libx264", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = pixel_format
        stream.options = {"preset": "veryfast", "crf": "30"}
        if rotation:
            stream.set_display_rotation(rotation)  # what a phone held upright writes
        stream.time_base = Fraction(1, 90_000)
        sound = output.add_stream("aac", rate=48_000) if audio else None
        tick = 90_000 // fps
        stamp = 0
        for index in range(frames):
            picture = card.copy()
            left = (index * 16) % max(size[0] - 40, 1)
            bar = max(size[1] // 20, 2)
            ImageDraw.Draw(picture).rectangle(
                (left, size[1] - bar, left + 40, size[1]), fill=(214, 40, 40)
            )
            frame = av.VideoFrame.from_image(picture)
            frame.pts = stamp
            frame.time_base = stream.time_base
            # A phone's variable rate: every fourth gap twice as long.
            stamp += tick * (2 if variable_rate and index % 4 == 3 else 1)
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode():
            output.mux(packet)
        if sound is not None:
            _tone(output, sound, stamp / 90_000)
    return path


def _tone(output: av.container.OutputContainer, stream: av.AudioStream, seconds: float) -> None:
    rate, block = 48_000, 1024
    samples = int(seconds * rate)
    for start in range(0, samples, block):
        count = min(block, samples - start)
        wave = array.array(
            "f", (0.05 * math.sin(2 * math.pi * 440 * n / rate) for n in range(start, start + count))
        )
        frame = av.AudioFrame(format="fltp", layout="stereo", samples=count)
        for plane in frame.planes:
            plane.update(wave.tobytes())
        frame.sample_rate = rate
        frame.pts = start
        for packet in stream.encode(frame):
            output.mux(packet)
    for packet in stream.encode():
        output.mux(packet)


def make_all(media: Path, seconds: float) -> list[Path]:
    """The member videos, one per language; returns the files written."""
    return [
        write_video(media / "videos" / f"member-{language}.mp4", seconds=seconds, title=title)
        for language, title in TITLES.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--media", default=str(ROOT / "media"), help="the media folder")
    parser.add_argument("--seconds", type=float, default=6.0, help="length of each video")
    arguments = parser.parse_args()
    for path in make_all(Path(arguments.media), arguments.seconds):
        print(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)


if __name__ == "__main__":
    main()
