"""Draw the stand-in campaign images into the media folder.

The real logo artwork is not available to the project (campaign brief, "The
logo"), so this script draws one stand-in per language and call, with the
call's wording from config.yaml as the tagline, at the path the logo naming
scheme (``media.logo``) gives, plus a stand-in for the "12 reasons" graphic.
The team replaces the files with the real artwork under the same names.

Usage (from the repository root)::

    .venv/bin/python scripts/draw_media.py            # uses ./config.yaml
    .venv/bin/python scripts/draw_media.py --config path/to/config.yaml

The output is deterministic: running it again rewrites identical files.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scheduler.config import CampaignConfig, load_config  # noqa: E402

NAVY = (20, 33, 61)
WHITE = (255, 255, 255)
AMBER = (252, 163, 17)
RED = (214, 40, 40)
GREY = (160, 170, 185)
LOGO_SIZE = (1200, 675)  # 16:9, what X and Facebook show uncropped in the timeline
GRAPHIC_SIZE = (1080, 1080)
SLOGAN = "STOP CLUSTER BOMBS NOW!"
STAND_IN_NOTE = "Stand-in image: replace with the campaign's artwork under the same file name"


# Fonts with the accents French and Spanish need, looked up by file name in the
# system's font folders; Pillow's bundled font lacks letters such as "é".
BOLD_FONTS = ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "Arial Bold.ttf", "Arialbd.ttf")
REGULAR_FONTS = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial.ttf")


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A scalable font with Latin accents, or Pillow's bundled font when none is installed."""
    for name in BOLD_FONTS if bold else REGULAR_FONTS:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    print(f"warning: no font with accents found ({', '.join(REGULAR_FONTS)})", file=sys.stderr)
    return ImageFont.load_default(size=size)


def wrap(
    draw: ImageDraw.ImageDraw, text: str, size: int, width: int, bold: bool = False
) -> list[str]:
    """Split ``text`` into lines no wider than ``width`` pixels."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if draw.textlength(trial, font=font(size, bold)) <= width or not current:
            current = trial
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def draw_emblem(draw: ImageDraw.ImageDraw, centre: tuple[int, int], radius: int) -> None:
    """A cluster of bomblets under a prohibition sign."""
    x, y = centre
    step = radius // 3
    for dx, dy in ((-1, -1), (0, -1), (1, -1), (-1, 0), (0, 0), (1, 0), (-1, 1), (0, 1), (1, 1)):
        cx, cy = x + dx * step, y + dy * step
        draw.ellipse((cx - step // 3, cy - step // 3, cx + step // 3, cy + step // 3), fill=GREY)
    width = radius // 6
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), outline=RED, width=width)
    offset = int(radius * 0.7)
    draw.line((x - offset, y - offset, x + offset, y + offset), fill=RED, width=width)


def draw_logo(path: Path, tagline: str, language: str, hashtag: str) -> None:
    """One logo variant: slogan, tagline in ``language``, hashtag."""
    image = Image.new("RGB", LOGO_SIZE, NAVY)
    draw = ImageDraw.Draw(image)
    draw_emblem(draw, (230, 300), 150)
    left, width = 430, LOGO_SIZE[0] - 430 - 60
    y = 110
    for line in wrap(draw, SLOGAN, 60, width, bold=True):
        draw.text((left, y), line, font=font(60, bold=True), fill=WHITE)
        y += 74
    y += 30
    for line in wrap(draw, tagline, 46, width, bold=True):
        draw.text((left, y), line, font=font(46, bold=True), fill=AMBER)
        y += 58
    draw.text((left, 530), hashtag, font=font(40), fill=WHITE)
    draw.text((60, 610), STAND_IN_NOTE, font=font(22), fill=GREY)
    badge = language.upper()
    draw.rounded_rectangle((1080, 30, 1170, 90), radius=12, outline=AMBER, width=3)
    draw.text((1125, 60), badge, font=font(32, bold=True), fill=AMBER, anchor="mm")
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format="PNG", optimize=True)


def draw_reasons(path: Path, hashtag: str) -> None:
    """Stand-in for "12 Reasons Why States Should Join CCM Without Delay"."""
    image = Image.new("RGB", GRAPHIC_SIZE, NAVY)
    draw = ImageDraw.Draw(image)
    y = 60
    title = "12 Reasons Why States Should Join CCM Without Delay"
    for line in wrap(draw, title, 54, 960, bold=True):
        draw.text((60, y), line, font=font(54, bold=True), fill=WHITE)
        y += 68
    top = y + 40
    for number in range(12):
        row, column = divmod(number, 3)
        x0, y0 = 60 + column * 330, top + row * 185
        draw.rounded_rectangle((x0, y0, x0 + 300, y0 + 160), radius=18, outline=AMBER, width=4)
        draw.text(
            (x0 + 150, y0 + 80), str(number + 1), font=font(72, bold=True), fill=AMBER, anchor="mm"
        )
    draw.text((60, 960), hashtag, font=font(40), fill=WHITE)
    draw.text((60, 1025), STAND_IN_NOTE, font=font(20), fill=GREY)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format="PNG", optimize=True)


def draw_all(config: CampaignConfig) -> list[Path]:
    """Draw every logo variant and the 12-reasons graphic; returns the files written."""
    media = config.base_dir / config.media.directory
    hashtag = config.campaign.hashtag
    written: list[Path] = []
    for call, wording in config.calls.items():
        for language in config.languages:
            path = media / config.logo_path(language, call)
            draw_logo(path, wording[language], language, hashtag)
            written.append(path)
    reasons = config.media.graphics.get("12-reasons")
    if reasons is not None:
        draw_reasons(media / reasons, hashtag)
        written.append(media / reasons)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=str(ROOT / "config.yaml"), help="the campaign file")
    arguments = parser.parse_args()
    for path in draw_all(load_config(arguments.config)):
        print(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)


if __name__ == "__main__":
    main()
