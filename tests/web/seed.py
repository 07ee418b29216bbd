"""A realistic campaign history for the dashboard's tests.

Two messages a day (09:00 and 16:00 in Europe/Zurich) in three languages over
the whole window of the repository's config.yaml; everything before ``NOW``
went out except the few publications that show each problem the dashboard
must display: failed, needs review, missed, retrying after a rate limit,
overdue, cancelled by an operator, a paused account, two daemons.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from itertools import count

from sqlalchemy.orm import Session, sessionmaker

from scheduler.config import CampaignConfig
from scheduler.content.resolved import content_hash
from scheduler.storage.database import writing
from scheduler.storage.models import (
    AccountState,
    Attempt,
    AuditEntry,
    Hold,
    Post,
    PostStatus,
    Publication,
    PublicationState,
    Worker,
)

ZONE_NAME = "Europe/Zurich"
NOW = datetime(2020, 11, 18, 8, 30, tzinfo=UTC)  # 09:30 in Lausanne, T-4d
SLOTS = {"am": time(9, 0), "pm": time(16, 0)}
TARGETS = {
    "en": ("x-main", "facebook-main"),
    "fr": ("x-fr", "facebook-main"),
    "es": ("x-es", "facebook-main"),
}
MARKUP_POST = "markup-test-en"
MARKUP_TEXT = (
    "Ban them <script>alert('owned')</script> <b>now</b> & \"forever\" #StopClusterBombsNow"
)
FAILED = ("2020-11-17-pm-fr", "x-fr")
NEEDS_REVIEW = ("2020-11-17-am-es", "x-es")
MISSED = ("2020-11-16-pm-en", "facebook-main")
RETRYING = ("2020-11-18-am-en", "x-main")
OVERDUE = ("2020-11-18-am-fr", "x-fr")
CANCELLED = ("2020-11-19-am-fr", "facebook-main")
ALL_CANCELLED_POST = "2020-11-25-pm-es"
FORMULA_MESSAGE = '=HYPERLINK("http://attacker.example","click")'
CANCELLED_AT = NOW - timedelta(days=1)


def _texts(config: CampaignConfig, call: str, language: str, message: str) -> dict[str, str]:
    wording = config.calls[call][language]
    hashtag = config.campaign.hashtag
    return {
        "x": f"{wording}! {hashtag} https://www.stopclustermunitions.org ({message})",
        "facebook": (
            f"{wording}.\n\nThe Second Review Conference of the Convention on Cluster "
            f"Munitions opens in Lausanne on 23 November. {hashtag}\n"
            "https://www.stopclustermunitions.org"
        ),
    }


def _url(platform: str, account: str, number: int) -> str:
    if platform == "x":
        return f"https://x.com/{account}/status/{1_330_000_000_000_000_000 + number}"
    return f"https://www.facebook.com/120749411311458_{4_000_000 + number}"


def _post(
    post_id: str,
    message: str,
    call: str,
    language: str,
    at: datetime,
    texts: dict[str, str],
    config: CampaignConfig,
) -> Post:
    logo = config.logo_path(language, call)
    link = "https://www.stopclustermunitions.org"
    return Post(
        id=post_id,
        message_id=message,
        call=call,
        language=language,
        status=PostStatus.APPROVED,
        publish_at=at,
        texts=texts,
        media=[logo],
        alt_texts=[f"Logo de la campagne : {call}"] if language == "fr" else None,
        content_warning="Imágenes de personas heridas" if language == "es" else None,
        link=link,
        targets=list(TARGETS[language]),
        source_path=f"posts/{message[:10]}.yaml",
        source_line=3,
        content_hash=content_hash(texts, [logo], link),
        revision=1,
        removed_at=None,
        created_at=datetime(2020, 10, 1, tzinfo=UTC),
        updated_at=datetime(2020, 10, 1, tzinfo=UTC),
    )


def _attempt(due: datetime, seconds: float, outcome: str, **details: object) -> Attempt:
    """The daemon's one try at ``due``, ending ``seconds`` later with ``outcome``."""
    return Attempt(
        worker_id="daemon-a",
        started_at=due,
        ended_at=due + timedelta(seconds=seconds),
        outcome=outcome,
        **details,
    )


def _publication(
    post: Post, account: str, platform: str, number: int, now: datetime
) -> Publication:
    due = post.publish_at
    pub = Publication(
        post_id=post.id,
        account_label=account,
        platform=platform,
        state=PublicationState.PENDING,
        scheduled_at=due,
        next_attempt_at=due,
        attempt_count=0,
        needs_reconcile=False,
        created_at=post.created_at,
        updated_at=post.created_at,
    )
    key = (post.id, account)
    if key == FAILED:
        pub.state, pub.attempt_count = PublicationState.FAILED, 1
        pub.last_error = "rejected: Your Tweet text is too long. | HTTP 400"
        pub.attempts = [
            _attempt(
                due,
                1,
                "rejected",
                http_status=400,
                platform_code="invalid-request",
                platform_message=FORMULA_MESSAGE,
            )
        ]
    elif key == NEEDS_REVIEW:
        pub.state, pub.attempt_count = PublicationState.NEEDS_REVIEW, 1
        pub.claimed_by, pub.claimed_revision, pub.claimed_hash = "daemon-a", 1, post.content_hash
        pub.last_error = "unknown outcome: read timed out after 20 s; not found among recent posts"
        pub.attempts = [_attempt(due, 20, "unknown", platform_message="read timed out after 20 s")]
    elif key == MISSED:  # found late by a daemon that had been down; never tried
        pub.state = PublicationState.MISSED
        pub.last_error = "missed: found 3 h 10 min late, beyond the 60-minute grace"
        pub.updated_at = due + timedelta(hours=3, minutes=10)
    elif key == RETRYING:
        pub.state, pub.attempt_count = PublicationState.RETRYING, 1
        pub.next_attempt_at = now + timedelta(minutes=15)
        pub.last_error = "rate limited until 08:45 UTC | HTTP 429"
        pub.attempts = [
            _attempt(
                due,
                1,
                "rate_limited",
                http_status=429,
                platform_code="rate-limit-exceeded",
                platform_message="Too Many Requests",
            )
        ]
    elif key == OVERDUE:
        pass  # still pending, 30 minutes past its time: the daemon is behind
    elif key == CANCELLED or post.id == ALL_CANCELLED_POST:  # yesterday, before any try
        pub.state = PublicationState.CANCELLED
        pub.cancel_source, pub.cancel_reason = "operator", "duplicate of the French press release"
        pub.updated_at = CANCELLED_AT
    elif due < now:
        pub.state, pub.attempt_count = PublicationState.PUBLISHED, 1
        pub.platform_url = _url(platform, account, number)
        pub.platform_post_id = pub.platform_url.rsplit("/", 1)[-1]
        pub.published_at = due + timedelta(seconds=1)
        pub.published_hash = post.content_hash
        pub.attempts = [_attempt(due, 1, "published", http_status=201)]
    return pub


def seed_campaign(
    sessions: sessionmaker[Session], config: CampaignConfig, now: datetime = NOW
) -> None:
    """Fill an empty, migrated database with the campaign described above."""
    campaign = config.campaign
    calls = list(config.calls)
    numbers = count(1)
    with writing(sessions) as session:
        day = campaign.window.start
        index = 0
        while day <= campaign.window.end:
            for slot, clock_time in SLOTS.items():
                message = f"{day.isoformat()}-{slot}"
                call = calls[index % len(calls)]
                index += 1
                at = datetime.combine(day, clock_time, tzinfo=campaign.zone).astimezone(UTC)
                for language in ("en", "fr", "es"):
                    post = _post(
                        f"{message}-{language}",
                        message,
                        call,
                        language,
                        at,
                        _texts(config, call, language, message),
                        config,
                    )
                    session.add(post)
                    for account in TARGETS[language]:
                        platform = config.account(account).platform
                        session.add(_publication(post, account, platform, next(numbers), now))
            day += timedelta(days=1)
        markup_at = datetime(2020, 11, 20, 11, 0, tzinfo=UTC)
        markup = _post(
            MARKUP_POST,
            "markup-test",
            "save-lives",
            "en",
            markup_at,
            {"x": MARKUP_TEXT, "facebook": MARKUP_TEXT},
            config,
        )
        session.add(markup)
        session.add(_publication(markup, "x-main", "x", next(numbers), now))
        session.add(
            Hold(
                scope="account:x-es",
                reason="auth failed: 401 Unauthorized (token revoked?)",
                actor="daemon-a",
                since=now - timedelta(hours=20),
                until=None,
            )
        )
        session.add(
            AccountState(
                label="x-main",
                last_post_at=now - timedelta(minutes=30),
                rate_limited_until=now + timedelta(minutes=15),
                rate_limit_reason="429 from POST /2/tweets",
                updated_at=now,
            )
        )
        session.add(
            Worker(
                id="daemon-a",
                hostname="comms-laptop",
                pid=4242,
                started_at=now - timedelta(days=3),
                heartbeat_at=now - timedelta(seconds=10),
                stopped_at=None,
                stop_reason=None,
            )
        )
        session.add(
            Worker(
                id="daemon-b",
                hostname="old-server",
                pid=99,
                started_at=now - timedelta(days=9),
                heartbeat_at=now - timedelta(days=2),
                stopped_at=now - timedelta(days=2),
                stop_reason="SIGTERM: clean shutdown",
            )
        )
        session.add(
            AuditEntry(
                at=CANCELLED_AT,
                actor="maria",
                action="cancel",
                target=f"{CANCELLED[0]}@{CANCELLED[1]}",
                reason="duplicate of the French press release",
                detail="pending -> cancelled",
            )
        )
