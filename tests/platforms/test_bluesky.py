"""Bluesky: counting, facets, record keys, sessions and the stand-in's fidelity.

The real atproto SDK talks HTTP to the stand-in; nothing of it is mocked.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from scheduler.clock import FrozenClock
from scheduler.config import CampaignConfig
from scheduler.daemon.accounts import build_publisher
from scheduler.errors import AuthFailed, RateLimited, Rejected, UnknownOutcome
from scheduler.platforms.base import PostRequest, Publisher
from scheduler.platforms.bluesky.facets import build_facets, find_spans
from scheduler.platforms.bluesky.links import post_id_from_url, post_url
from scheduler.platforms.bluesky.records import TID_ALPHABET, decode_tid, record_key
from scheduler.platforms.bluesky.sandbox.api import BlueskySandbox
from scheduler.platforms.bluesky.sandbox.credentials import main_password
from scheduler.platforms.bluesky.text import BlueskyTextRule, graphemes
from scheduler.platforms.keys import IssuedTokens, TokenKeeper
from scheduler.sandbox.app import Sandbox
from scheduler.sandbox.faults import Fault
from tests.conftest import Sessions
from tests.platforms.conftest import image_file

LABEL = "bluesky-main"


class MemoryKeeper:
    """A token keeper in a dict (the product's own protocol; the store is tested apart)."""

    def __init__(self) -> None:
        self.tokens: dict[str, IssuedTokens] = {}
        self.renewals = 0

    def stored(self, account_label: str) -> IssuedTokens:
        return dict(self.tokens.get(account_label, {}))

    def renew(
        self, account_label: str, change: Callable[[IssuedTokens], IssuedTokens | None]
    ) -> IssuedTokens:
        self.renewals += 1
        new = change(self.stored(account_label))
        if new:
            self.tokens[account_label] = {**self.stored(account_label), **new}
        return self.stored(account_label)


@pytest.fixture
def stand_in(sandbox: Sandbox) -> BlueskySandbox:
    found = sandbox["bluesky"]
    assert isinstance(found, BlueskySandbox)
    return found


def _publisher(
    live: CampaignConfig, environ: dict[str, str], clock: FrozenClock, keeper: TokenKeeper | None
) -> Publisher:
    return build_publisher(live, live.account(LABEL), environ, clock, keeper)


# -- counting ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Join the Treaty", 15),
        ("Rejoignez le traité : sauvez des vies", 37),
        ("e\u0301", 1),  # e and a combining accent: one grapheme
        ("🇨🇭🇪🇸", 2),  # two flags
        ("👩‍👩‍👧‍👦", 1),  # a family: one grapheme, 25 bytes
        ("a\r\nb", 3),
    ],
)
def test_graphemes_count_what_a_reader_sees(text: str, expected: int) -> None:
    assert graphemes(text) == expected


def test_the_limit_is_300_graphemes_and_3000_bytes() -> None:
    rule = BlueskyTextRule()
    assert rule.overflow("é" * 300) is None
    assert rule.overflow("é" * 301) == 301
    family = "👩‍👩‍👧‍👦"  # 25 bytes each
    assert rule.overflow(family * 120) is None  # 3,000 bytes exactly
    assert rule.overflow(family * 121) == 121 * 25
    message, fix = rule.too_long(121 * 25, has_link=False)
    assert "3000" in message and "emoji" in fix


# -- facets -------------------------------------------------------------------------------


def test_facets_use_utf8_byte_offsets() -> None:
    text = "¡Únete! 🇨🇭 #StopClusterBombsNow https://www.stopclusterbombs.org/es, @cmc.bsky.social."
    spans = {span.kind: span for span in find_spans(text)}
    encoded = text.encode("utf-8")
    for span in spans.values():
        shown = encoded[span.start : span.end].decode("utf-8")
        assert shown.lstrip("#@") == span.value.removeprefix("#")
    assert spans["link"].value == "https://www.stopclusterbombs.org/es"  # the comma dropped
    assert spans["tag"].value == "StopClusterBombsNow"
    assert spans["mention"].value == "cmc.bsky.social"  # the full stop dropped


def test_a_tag_or_mention_inside_a_link_is_not_a_second_facet() -> None:
    text = "see https://example.org/page#section and #2RevCon and #123"
    spans = find_spans(text)
    assert [(s.kind, s.value) for s in spans] == [
        ("link", "https://example.org/page#section"),
        ("tag", "2RevCon"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("voir stopclusterbombs.org.", [("link", "https://stopclusterbombs.org")]),
        ("(see https://en.wikipedia.org/wiki/CCM_(treaty))", [("link", "https://en.wikipedia.org/wiki/CCM_(treaty)")]),
        ("(see https://example.org/x)", [("link", "https://example.org/x")]),
        ("report.pdf and file.notatld", []),
        ("C# and #123 and #2020!", []),
        ("¡Únete! #ÚneteAlTratado, #StopClusterBombsNow…", [("tag", "ÚneteAlTratado"), ("tag", "StopClusterBombsNow")]),
        ("ask @someone.bsky.social, or @nobody", [("mention", "someone.bsky.social")]),
    ],
)  # fmt: skip
def test_spans_follow_the_bluesky_apps_rules(text: str, expected: list[tuple[str, str]]) -> None:
    spans = find_spans(text)
    assert [(span.kind, span.value) for span in spans] == expected
    encoded = text.encode("utf-8")
    for span in spans:  # each range covers exactly what is shown
        shown = encoded[span.start : span.end].decode("utf-8")
        assert shown.lstrip("#@").removeprefix("https://") in (
            span.value,
            span.value.removeprefix("https://"),
        )


def test_an_unknown_handle_stays_plain_text() -> None:
    facets = build_facets("hello @nobody.example", lambda handle: None)
    assert facets == []


# -- record keys and links ----------------------------------------------------------------


def test_record_keys_are_valid_tids_per_publication_and_requeue() -> None:
    keys = {record_key(f"{n:032x}") for n in range(1, 20000)}
    assert len(keys) == 19999
    requeued = record_key("b" * 32)
    assert requeued != record_key("a" * 32)
    assert record_key("a" * 32) == record_key("a" * 32)
    for key in [*list(keys)[:50], requeued]:
        assert len(key) == 13 and key[0] in TID_ALPHABET[:16]
        decode_tid(key)  # raises when invalid


def test_post_links_go_both_ways() -> None:
    uri = "at://did:plc:abc/app.bsky.feed.post/3gv353kok2222"
    assert post_url(uri) == "https://bsky.app/profile/did:plc:abc/post/3gv353kok2222"
    assert post_id_from_url(post_url(uri)) == uri
    assert post_id_from_url("https://example.org/profile/x/post/y") is None


# -- sessions -----------------------------------------------------------------------------


def test_the_session_is_stored_reused_after_a_restart_and_refreshed_not_reopened(
    live: CampaignConfig, environ: dict[str, str], clock: FrozenClock, stand_in: BlueskySandbox
) -> None:
    keeper = MemoryKeeper()
    first = _publisher(live, environ, clock, keeper)
    first.create_post("one #StopClusterBombsNow", request=PostRequest(key="k1"))
    first.close()
    repo = stand_in.state.repo(LABEL)
    assert repo is not None and repo.sessions_opened == 1
    restarted = _publisher(live, environ, clock, keeper)
    restarted.create_post("two #StopClusterBombsNow", request=PostRequest(key="k2"))
    assert repo.sessions_opened == 1  # the stored session went on
    clock.advance(3 * 3600)  # the access token (2 hours) has expired
    restarted.create_post("three #StopClusterBombsNow", request=PostRequest(key="k3"))
    assert repo.sessions_opened == 1  # refreshed, not reopened
    assert stand_in.count(LABEL) == 3
    restarted.close()


def test_an_expired_token_answer_renews_the_session_and_posts_once(
    sandbox: Sandbox, live: CampaignConfig, environ: dict[str, str], clock: FrozenClock,
    stand_in: BlueskySandbox,
) -> None:  # fmt: skip
    publisher = _publisher(live, environ, clock, None)
    publisher.verify()
    sandbox.faults.add(Fault("bluesky.create", "expired_token", LABEL))
    publisher.create_post("Save lives #StopClusterBombsNow", request=PostRequest(key="k5"))
    assert stand_in.count(LABEL) == 1
    publisher.close()


def test_a_handle_other_than_config_yamls_is_a_problem(campaign: CampaignConfig) -> None:
    from scheduler.platforms import registry
    from scheduler.platforms.base import AccountIdentity

    profile = registry.profile("bluesky")
    account = campaign.account(LABEL)  # @stopclusterbombs.bsky.social
    same = AccountIdentity("did:plc:x", "CMC", username="StopClusterBombs.bsky.social")
    other = AccountIdentity("did:plc:y", "Other", username="other.bsky.social")
    assert profile.identity_problems(account, same) == []
    (problem,) = profile.identity_problems(account, other)
    assert "@other.bsky.social" in problem and "@stopclusterbombs.bsky.social" in problem


def test_the_account_password_is_refused(
    live: CampaignConfig, environ: dict[str, str], clock: FrozenClock
) -> None:
    variable = live.account(LABEL).credentials["app_password"]
    publisher = _publisher(live, {**environ, variable: main_password(LABEL)}, clock, None)
    with pytest.raises(AuthFailed, match="app password"):
        publisher.verify()
    publisher.close()


# -- the stand-in -------------------------------------------------------------------------


def test_a_record_the_lexicon_refuses_is_an_xrpc_error(sandbox: Sandbox, environ: dict[str, str], live: CampaignConfig) -> None:  # fmt: skip
    base = sandbox.url + "/xrpc/"
    account = live.account(LABEL)
    session = httpx.post(
        base + "com.atproto.server.createSession",
        json={
            "identifier": environ[account.credentials["handle"]],
            "password": environ[account.credentials["app_password"]],
        },
    ).json()
    headers = {"Authorization": f"Bearer {session['accessJwt']}"}
    record = {"$type": "app.bsky.feed.post", "text": "é" * 301, "createdAt": "2020-11-02T08:00:00Z"}
    answer = httpx.post(
        base + "com.atproto.repo.createRecord",
        json={"repo": session["did"], "collection": "app.bsky.feed.post", "record": record},
        headers=headers,
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "InvalidRecord",
        "message": "Record/text must not be longer than 300 graphemes",
    }
    missing = httpx.post(base + "com.atproto.repo.createRecord", json={}, headers=headers)
    assert missing.json()["error"] == "InvalidRequest"
    assert (
        httpx.post(base + "com.atproto.repo.createRecord", json={}).json()["error"] == "AuthMissing"
    )


def test_a_second_create_on_a_key_is_a_500_settled_by_get_record(
    live: CampaignConfig, environ: dict[str, str], clock: FrozenClock, stand_in: BlueskySandbox
) -> None:
    publisher = _publisher(live, environ, clock, None)
    key = PostRequest(key="k9")
    post = publisher.create_post("Prevent future tragedies #StopClusterBombsNow", request=key)
    with pytest.raises(UnknownOutcome):
        publisher.create_post("Prevent future tragedies #StopClusterBombsNow", request=key)
    found = publisher.find_post(
        "Prevent future tragedies #StopClusterBombsNow", clock.now(), clock.now(), request=key
    )
    assert found is not None and found.platform_post_id == post.platform_post_id
    assert stand_in.count(LABEL) == 1
    publisher.close()


def test_images_carry_alt_text_and_their_aspect_ratio(
    live: CampaignConfig, environ: dict[str, str], clock: FrozenClock, stand_in: BlueskySandbox,
    tmp_path: object,
) -> None:  # fmt: skip
    from pathlib import Path

    publisher = _publisher(live, environ, clock, None)
    media = [
        publisher.upload_media(image_file(Path(str(tmp_path)) / f"{n}.png", (200, 100)))
        for n in range(4)
    ]
    post = publisher.create_post("Support community livelihoods", media, "https://example.org/")
    record = stand_in.record(LABEL, post.platform_post_id.rsplit("/", 1)[1])
    assert record is not None
    images = record["embed"]["images"]
    assert len(images) == 4
    assert all(image["alt"] == "" and image["aspectRatio"]["width"] == 200 for image in images)
    with pytest.raises(Rejected):  # a fifth image: the lexicon's maximum is 4
        publisher.create_post("five", [*media, media[0]])
    publisher.close()


def test_write_points_run_out_with_a_reset_time(
    sandbox: Sandbox, live: CampaignConfig, environ: dict[str, str], clock: FrozenClock,
    stand_in: BlueskySandbox,
) -> None:  # fmt: skip
    stand_in.state.points_per_hour = 6  # two creates
    publisher = _publisher(live, environ, clock, None)
    publisher.create_post("a")
    publisher.create_post("b")
    with pytest.raises(RateLimited) as caught:
        publisher.create_post("c")
    assert caught.value.reset_at is not None and caught.value.reset_at > clock.now()
    assert stand_in.count(LABEL) == 2
    publisher.close()


def test_the_session_lives_encrypted_in_the_token_store_shared_by_daemons(
    live: CampaignConfig,
    environ: dict[str, str],
    clock: FrozenClock,
    stand_in: BlueskySandbox,
    sqlite_sessions: Sessions,
) -> None:
    from scheduler.tokens.cipher import TOKEN_KEYS_ENV, new_key
    from scheduler.tokens.keeper import StoreKeeper
    from scheduler.tokens.store import TokenStore

    keys = {TOKEN_KEYS_ENV: new_key()}

    def daemon(name: str) -> Publisher:
        store = TokenStore(sqlite_sessions, keys, writer=f"daemon {name}", clock=clock)
        return _publisher(live, environ, clock, StoreKeeper(store))

    first, second = daemon("a:1"), daemon("b:2")
    first.create_post("one", request=PostRequest(key="k1"))
    second.create_post("two", request=PostRequest(key="k2"))  # finds the stored session
    repo = stand_in.state.repo(LABEL)
    assert repo is not None and repo.sessions_opened == 1
    stored = TokenStore(sqlite_sessions, keys, writer="probe", clock=clock).read(LABEL)
    assert stored.value("access") and stored.value("refresh")
    with sqlite_sessions() as session:  # encrypted at rest
        from sqlalchemy import text

        raw = " ".join(str(row) for row in session.execute(text("SELECT * FROM stored_tokens")))
    assert str(stored.value("refresh")) not in raw
    clock.advance(3 * 3600)  # both daemons' access tokens have expired
    first.create_post("three", request=PostRequest(key="k3"))
    second.create_post("four", request=PostRequest(key="k4"))  # takes the first one's refresh
    assert repo.sessions_opened == 1 and stand_in.count(LABEL) == 4
    first.close()
    second.close()
