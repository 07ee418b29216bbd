"""A generated campaign for the benchmarks: config.yaml, logos, and queued posts.

Everything is made in a folder the caller gives (a temporary directory) from
a seed, so a run can be repeated exactly. Accounts are ``x-01``, ``x-02``...
(X, English) plus, when asked, the real campaign's four accounts; caps and
spacing are set so the daemon's own limits never hold a post back, and the
number of accounts is chosen by each case so no account goes over X's
per-user limits (100 creates per 15 minutes and per 24 hours, platforms.md
1.2).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from PIL import Image, ImageDraw

from scheduler.config import CampaignConfig, load_config
from scheduler.content.resolved import ResolvedPost
from scheduler.sandbox.credentials import sandbox_environment

HASHTAG = "#StopClusterBombsNow"
CALLS: dict[str, dict[str, str]] = {
    "join-the-treaty": {"en": "Join the Treaty", "fr": "Rejoignez le traité", "es": "Únanse al Tratado"},
    "save-lives": {"en": "Save lives", "fr": "Sauvez des vies", "es": "Salven vidas"},
    "survivors-rights": {
        "en": "Ensure survivors' rights",
        "fr": "Garantissez les droits des victimes",
        "es": "Garanticen los derechos de las víctimas",
    },
    "prevent-tragedies": {
        "en": "Prevent future tragedies",
        "fr": "Prévenez de futures tragédies",
        "es": "Prevengan futuras tragedias",
    },
    "livelihoods": {
        "en": "Support community livelihoods",
        "fr": "Soutenez les moyens de subsistance",
        "es": "Apoyen los medios de vida",
    },
}  # fmt: skip
LANGUAGES = {"en": "English", "fr": "Français", "es": "Español"}
GRAPHIC = "graphics/12-reasons.png"
X_CREDENTIAL_FIELDS = ("api_key", "api_secret", "access_token", "access_token_secret")


def x_label(index: int) -> str:
    """The label of generated X account number ``index`` (0-based): ``x-01``..."""
    return f"x-{index + 1:02d}"


def _x_account(
    label: str, languages: list[str], daily_cap: int, spacing_min: float
) -> dict[str, Any]:
    prefix = "BENCH_" + label.upper().replace("-", "_")
    return {
        "label": label,
        "platform": "x",
        "name": f"@bench_{label.replace('-', '_')}",
        "languages": languages,
        "credentials": {field: f"{prefix}_{field.upper()}" for field in X_CREDENTIAL_FIELDS},
        "daily_cap": daily_cap,
        "min_spacing_min": spacing_min,
    }


def bluesky_label(index: int) -> str:
    """The label of generated Bluesky account number ``index`` (0-based): ``bluesky-01``..."""
    return f"bluesky-{index + 1:02d}"


def _bluesky_account(label: str) -> dict[str, Any]:
    prefix = "BENCH_" + label.upper().replace("-", "_")
    return {
        **_mastodon_account(label),  # the same caps and language
        "platform": "bluesky",
        "name": f"@bench-{label}.bsky.social",
        "credentials": {"handle": f"{prefix}_HANDLE", "app_password": f"{prefix}_APP_PASSWORD"},
    }


def mastodon_label(index: int) -> str:
    """The label of generated Mastodon account number ``index`` (0-based): ``mastodon-01``..."""
    return f"mastodon-{index + 1:02d}"


def _mastodon_account(label: str) -> dict[str, Any]:
    prefix = "BENCH_" + label.upper().replace("-", "_")
    return {
        "label": label,
        "platform": "mastodon",
        "name": f"@bench_{label.replace('-', '_')}@mastodon.example",
        "languages": ["en"],
        "credentials": {"access_token": f"{prefix}_ACCESS_TOKEN"},
        "daily_cap": 1000,
        "min_spacing_min": 0,
    }


def campaign_data(
    *,
    x_accounts: int,
    bluesky_accounts: int = 0,
    mastodon_accounts: int = 0,
    real_accounts: bool = False,
    sandbox_url: str | None = None,
    publishing: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """config.yaml as a dict: the real campaign's dates, languages and calls.

    ``x_accounts`` generated English X accounts (1,000 posts a day, no spacing),
    ``bluesky_accounts`` and ``mastodon_accounts`` as many Bluesky and Mastodon ones;
    ``real_accounts`` adds x-main, x-fr, x-es and facebook-main with caps wide
    enough for one message every 15 minutes. ``sandbox_url`` points both
    platforms at the sandbox.
    """
    accounts = [_x_account(x_label(i), ["en"], 1000, 0) for i in range(x_accounts)]
    accounts += [_bluesky_account(bluesky_label(i)) for i in range(bluesky_accounts)]
    accounts += [_mastodon_account(mastodon_label(i)) for i in range(mastodon_accounts)]
    if real_accounts:
        accounts += [
            _x_account("x-main", ["en"], 100, 5),
            _x_account("x-fr", ["fr"], 100, 5),
            _x_account("x-es", ["es"], 100, 5),
            {
                "label": "facebook-main",
                "platform": "facebook",
                "name": "Cluster Munition Coalition",
                "page_id": "120749411311458",
                "languages": ["en", "fr", "es"],
                "credentials": {
                    "page_access_token": "BENCH_FACEBOOK_PAGE_TOKEN",
                    "app_id": "BENCH_FACEBOOK_APP_ID",
                    "app_secret": "BENCH_FACEBOOK_APP_SECRET",
                },
                "daily_cap": 300,
                "min_spacing_min": 4,
            },
        ]
    data: dict[str, Any] = {
        "campaign": {
            "name": "Benchmark campaign",
            "hashtag": HASHTAG,
            "timezone": "Europe/Zurich",
            "conference": {"name": "2RevCon", "start": "2020-11-23", "end": "2020-11-27"},
            "window": {"start": "2020-10-24", "end": "2020-11-27"},
        },
        "languages": LANGUAGES,
        "calls": CALLS,
        "media": {
            "directory": "media",
            "logo": "logos/{language}/{call}.png",
            "graphics": {"12-reasons": GRAPHIC},
        },
        "accounts": accounts,
        "publishing": {"late_grace_min": 60, **(publishing or {})},
        "database_url": "sqlite:///bench.db",
    }
    if sandbox_url is not None:
        data["platforms"] = {
            "x": {"api_base_url": sandbox_url, "request_timeout_s": 20},
            "facebook": {"api_base_url": sandbox_url, "request_timeout_s": 20},
            "bluesky": {"api_base_url": sandbox_url, "request_timeout_s": 20},
            "mastodon": {"api_base_url": sandbox_url, "request_timeout_s": 20},
        }
    return data


def draw_media(folder: Path, seed: int) -> None:
    """A logo per language and call (1200x675 PNG, about 40 KB like the real ones) and
    the 12-reasons graphic, under ``folder / "media"``."""
    rng = random.Random(seed)
    targets = [
        (Path("logos") / lang / f"{call}.png", (1200, 675)) for lang in LANGUAGES for call in CALLS
    ]
    targets.append((Path(GRAPHIC), (1080, 1080)))
    for relative, size in targets:
        path = folder / "media" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        image = Image.new("RGB", size, (rng.randrange(256), 30, 40))
        draw = ImageDraw.Draw(image)
        for _ in range(60):
            x, y = rng.randrange(size[0]), rng.randrange(size[1])
            colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
            draw.ellipse(
                (x, y, x + rng.randrange(20, 200), y + rng.randrange(20, 200)), fill=colour
            )
        for _ in range(4000):  # speckle, so the PNG is not trivially compressible
            x, y = rng.randrange(size[0]), rng.randrange(size[1])
            draw.point((x, y), fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
        image.save(path, optimize=False)


@dataclass
class BenchCampaign:
    """A campaign folder: ``config_path``, ``config`` (loaded as ``campaign`` would) and
    ``environment`` (the sandbox's credentials under the variable names config.yaml gives)."""

    folder: Path
    config_path: Path
    config: CampaignConfig
    environment: dict[str, str]

    @classmethod
    def create(cls, folder: Path, seed: int, **options: Any) -> BenchCampaign:
        """Write config.yaml (``campaign_data(**options)``) and the media into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "config.yaml"
        path.write_text(
            yaml.safe_dump(campaign_data(**options), sort_keys=False, allow_unicode=True),
            encoding="utf-8",
        )
        if not (folder / "media").exists():
            draw_media(folder, seed)
        config = load_config(path)
        return cls(folder, path, config, sandbox_environment(config))

    def x_labels(self) -> list[str]:
        """The generated X accounts, in order."""
        return [
            a.label
            for a in self.config.accounts
            if a.label.startswith("x-") and a.label[2:].isdigit()
        ]

    def labels_of(self, platform: str) -> list[str]:
        """The generated accounts of ``platform`` (``x``: :meth:`x_labels`), in order."""
        if platform == "x":
            return self.x_labels()
        return [a.label for a in self.config.accounts if a.platform == platform]


def queued_posts(
    labels: list[str],
    due: list[datetime],
    *,
    seed: int,
    logo: bool,
    tag: str = "",
    platform: str = "x",
) -> list[ResolvedPost]:
    """One approved post per entry of ``due`` (aware UTC), round-robin over the accounts
    ``labels`` (of ``platform``), each with a distinct text (X refuses an account's
    duplicates) and, when ``logo``, the call's English logo."""
    rng = random.Random(seed)
    calls = list(CALLS)
    posts: list[ResolvedPost] = []
    for index, when in enumerate(due):
        call = calls[index % len(calls)]
        text = (
            f"Benchmark post {tag}{index}: {CALLS[call]['en']}. States meet in Lausanne to review "
            f"the Convention on Cluster Munitions; {rng.randrange(100, 999)} days of work. {HASHTAG}"
        )
        posts.append(
            ResolvedPost(
                id=f"bench-{tag}{index:07d}-en",
                message_id=f"bench-{tag}{index:07d}",
                call=call,
                language="en",
                status="approved",
                publish_at=when,
                texts={platform: text},
                media=(f"logos/en/{call}.png",) if logo else (),
                link=None,
                targets=(labels[index % len(labels)],),
                source_path=f"posts/bench-{index // 100:05d}.yaml",
                source_line=1 + 8 * (index % 100),
            )
        )
    return posts


def evenly(start: datetime, count: int, span_s: float) -> list[datetime]:
    """``count`` instants from ``start`` spread evenly over ``span_s`` seconds (all at
    ``start`` when ``span_s`` is 0)."""
    step = span_s / count if count else 0.0
    return [start + timedelta(seconds=step * index) for index in range(count)]
