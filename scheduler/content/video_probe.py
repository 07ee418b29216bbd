"""Reading a video file with PyAV: what it really is, not what its name says.

PyAV (FFmpeg's libraries, shipped in its wheels) is imported inside
:func:`probe`, so a campaign without videos never loads it. The whole file is
demuxed (packets read, not decoded), which finds a truncated file and gives
the frame timing for a variable frame rate; only the first frame is decoded,
for the rotation a phone wrote.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from scheduler.files import media_problem

# Frame-to-frame gaps may differ by rounding (a 1/90000 time base); more than
# this share of the median gap is a real change of rate.
_VFR_TOLERANCE = 0.05


@dataclass(frozen=True)
class VideoInfo:
    """What reading a video found. ``error`` says why it is unusable (then the rest
    is partial). ``container`` is the real container's name (``QuickTime / MOV``,
    ``Matroska / WebM``); ``container_extensions`` are the extensions FFmpeg knows for the
    real container (``mp4``, ``mov``...); ``video_codec`` / ``audio_codec`` are
    FFmpeg codec names (``audio_codec`` None: no sound track); ``duration_s`` in
    seconds; ``fps`` the average frame rate; ``variable_rate`` whether the gaps
    between frames vary; ``pixel_format`` FFmpeg's name (``yuv420p10le`` is
    10-bit); ``rotation`` in degrees (0, 90, 180, 270) that players apply."""

    size_bytes: int = 0
    error: str | None = None
    container: str = ""
    container_extensions: frozenset[str] = frozenset()
    video_codec: str | None = None
    audio_codec: str | None = None
    duration_s: float = 0.0
    width: int = 0
    height: int = 0
    fps: float = 0.0
    variable_rate: bool = False
    pixel_format: str = ""
    rotation: int = 0

    @property
    def bit_depth(self) -> int:
        """Bits per colour sample (8 unless the pixel format says 9 to 16)."""
        for depth in (16, 14, 12, 10, 9):
            if f"p{depth}" in self.pixel_format:
                return depth
        return 8


def probe(path: Path) -> VideoInfo:
    """What the video at ``path`` holds; never raises (problems go to ``error``)."""
    problem = media_problem(path)
    if problem is not None:
        return VideoInfo(error=problem)
    size = path.stat().st_size
    if size == 0:
        return VideoInfo(error="is empty (0 bytes): an interrupted copy or download?")
    import av  # only campaigns with videos pay for loading FFmpeg

    try:
        with av.open(str(path), mode="r") as container:
            return _read(container, size)
    except av.FFmpegError as error:
        return VideoInfo(size_bytes=size, error=f"cannot be read as a video ({_words(error)})")
    except (OSError, ValueError) as error:
        return VideoInfo(size_bytes=size, error=f"cannot be read as a video ({error})")


def _read(container: object, size: int) -> VideoInfo:
    import av

    assert isinstance(container, av.container.InputContainer)
    videos = container.streams.video
    if not videos:
        return VideoInfo(size_bytes=size, error="has no picture (no video track)")
    video = videos[0]
    audio = container.streams.audio[0] if container.streams.audio else None
    stamps: list[int] = []
    for packet in container.demux(video):
        if packet.pts is not None:
            stamps.append(packet.pts)
    if len(stamps) < 1:
        return VideoInfo(size_bytes=size, error="holds no frames (the file may be cut short)")
    base = video.time_base or Fraction(1, 1)
    stamps.sort()
    duration = float(container.duration / av.time_base) if container.duration else 0.0
    rate = float(video.average_rate or video.guessed_rate or 30)
    shown = float((stamps[-1] - stamps[0]) * base) + 1 / rate  # the last frame shows too
    if duration and shown < duration - max(0.5, 0.02 * duration):
        return VideoInfo(
            size_bytes=size,
            error=f"is cut short: it says {duration:.1f} s, but holds only {shown:.1f} s of "
            "pictures (an interrupted copy or download?)",
        )
    context = video.codec_context
    fps = float(video.average_rate) if video.average_rate else 0.0
    return VideoInfo(
        size_bytes=size,
        container=container.format.long_name or container.format.name,
        container_extensions=frozenset(container.format.extensions or ()),
        video_codec=context.name,
        audio_codec=audio.codec_context.name if audio is not None else None,
        duration_s=duration or shown,
        width=context.width,
        height=context.height,
        fps=fps,
        variable_rate=_varies(stamps),
        pixel_format=context.format.name if context.format is not None else "",
        rotation=_rotation(container, video),
    )


def _varies(stamps: list[int]) -> bool:
    gaps = sorted(later - earlier for earlier, later in itertools.pairwise(stamps))
    gaps = [gap for gap in gaps if gap > 0]
    if len(gaps) < 2:
        return False
    median = gaps[len(gaps) // 2]
    return any(abs(gap - median) > median * _VFR_TOLERANCE for gap in gaps)


def _rotation(container: object, video: object) -> int:
    """The rotation players apply: the stream's ``rotate`` tag, else the display
    matrix FFmpeg reports on the first decoded frame."""
    import av

    assert isinstance(container, av.container.InputContainer)
    assert isinstance(video, av.video.stream.VideoStream)
    tag = video.metadata.get("rotate")
    if tag is not None and tag.lstrip("-").isdigit():
        return int(tag) % 360
    try:
        container.seek(0)
        for frame in container.decode(video):
            return round(float(getattr(frame, "rotation", 0) or 0)) % 360
    except av.FFmpegError:
        return 0
    return 0


def _words(error: Exception) -> str:
    """FFmpeg's reason without its errno prefix (``[Errno 1094995529] Invalid data``)."""
    text = str(error)
    if text.startswith("[Errno") and "] " in text:
        text = text.split("] ", 1)[1]
    return text.split(":", 1)[0].strip() or "damaged"
