"""Credentials: where they come from, and that they never show, even at DEBUG."""

from __future__ import annotations

import logging
import secrets
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
import requests

from scheduler.clock import FrozenClock
from scheduler.config import CampaignConfig
from scheduler.daemon.accounts import build_publisher, load_credentials
from scheduler.errors import AuthFailed, ConfigError, PublishError, TokenKeyError, UnknownOutcome
from scheduler.platforms.base import Credentials, MediaFile
from scheduler.platforms.facebook.publisher import FacebookPublisher
from scheduler.platforms.secrets import (
    install_log_redaction,
    load_environment,
    redact,
    register_secrets,
)
from scheduler.platforms.x.publisher import XPublisher
from scheduler.sandbox.app import Sandbox
from scheduler.sandbox.faults import Fault
from scheduler.storage.database import upgrade_database
from scheduler.tokens.cipher import TOKEN_KEYS_ENV, new_key
from scheduler.tokens.kinds import NewToken
from scheduler.tokens.report import token_report
from scheduler.tokens.store import TokenStore
from tests.conftest import ROOT, session_factory
from tests.platforms.conftest import PublisherFactory
from tests.tokens.conftest import store_elsewhere


def test_missing_variables_are_each_named_with_how_to_set_them(
    campaign: CampaignConfig, environ: dict[str, str]
) -> None:
    partial = {
        name: value
        for name, value in environ.items()
        if name not in ("CMC_X_MAIN_API_SECRET", "CMC_X_MAIN_ACCESS_TOKEN")
    }
    with pytest.raises(ConfigError) as caught:
        load_credentials(campaign.account("x-main"), partial)
    message = str(caught.value)
    assert "CMC_X_MAIN_API_SECRET (api_secret)" in message
    assert "CMC_X_MAIN_ACCESS_TOKEN (access_token)" in message
    assert ".env" in message and "export" in message
    assert "sandbox-x-main" not in message  # the values that were present stay out


def test_values_are_trimmed_and_kept_out_of_repr(
    campaign: CampaignConfig, environ: dict[str, str]
) -> None:
    padded = {**environ, "CMC_X_MAIN_API_KEY": "  sandbox-x-main-api-key\n"}
    credentials = load_credentials(campaign.account("x-main"), padded)
    assert credentials["api_key"] == "sandbox-x-main-api-key"
    for text in (repr(credentials), str(credentials)):
        assert "sandbox" not in text
        assert "api_key" in text


def test_the_environment_wins_over_the_env_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CMC_X_MAIN_API_KEY=from-file\nCMC_OTHER=file-only\n")
    values = load_environment(tmp_path, environ={"CMC_X_MAIN_API_KEY": "from-environment"})
    assert values["CMC_X_MAIN_API_KEY"] == "from-environment"
    assert values["CMC_OTHER"] == "file-only"
    assert load_environment(tmp_path / "nowhere", environ={}) == {}


def test_git_ignores_the_env_file() -> None:
    assert ".env" in (ROOT / ".gitignore").read_text().splitlines()


def test_the_registry_builds_each_platforms_publisher(
    live: CampaignConfig, environ: dict[str, str], clock: FrozenClock
) -> None:
    x = build_publisher(live, live.account("x-main"), environ, clock)
    facebook = build_publisher(live, live.account("facebook-main"), environ, clock)
    assert isinstance(x, XPublisher)
    assert isinstance(facebook, FacebookPublisher)
    for publisher in (x, facebook):
        assert "sandbox-" not in repr(publisher)
        publisher.close()


@pytest.fixture
def redaction() -> None:
    install_log_redaction()


def test_log_records_mask_secrets_in_every_form(
    redaction: None, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "s3cr3t/with+odd chars&more"
    register_secrets([secret])
    logger = logging.getLogger("tests.redaction")
    with caplog.at_level(logging.DEBUG, logger="tests.redaction"):
        logger.debug("plain %s", secret)
        logger.debug("quoted %s and %s", quote(secret, safe=""), quote_plus(secret))
        try:
            raise RuntimeError(f"failed with {secret}")
        except RuntimeError:
            logger.exception("it broke")
    text = caplog.text
    assert secret not in text and quote(secret, safe="") not in text
    assert quote_plus(secret) not in text
    assert text.count("***") >= 4
    assert redact(f"a {secret} b") == "a *** b"


def test_short_values_are_not_treated_as_secrets(redaction: None) -> None:
    register_secrets(["abc"])
    assert redact("abc def") == "abc def"


@pytest.fixture
def everything_at_debug() -> Iterator[logging.Handler]:
    """Every logger at DEBUG, writing to stderr like a careless entry point would."""
    manager = logging.root.manager
    previous = {
        name: logger.level
        for name, logger in manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    root_level = logging.root.level
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    logging.root.addHandler(handler)
    logging.root.setLevel(logging.DEBUG)
    for name in previous:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield handler
    logging.root.removeHandler(handler)
    logging.root.setLevel(root_level)
    for name, level in previous.items():
        logging.getLogger(name).setLevel(level)


def test_no_credential_appears_in_any_output_at_debug(
    everything_at_debug: logging.Handler,
    sandbox: Sandbox,
    publisher_for: PublisherFactory,
    environ: dict[str, str],
    png: MediaFile,
    clock: FrozenClock,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    outputs: list[str] = []
    since = clock.now() - timedelta(minutes=1)
    for label in ("x-main", "facebook-main"):
        publisher = publisher_for(label)
        outputs.append(repr(publisher))
        outputs.append(repr(publisher.verify()))
        media_id = publisher.upload_media(png)
        outputs.append(repr(publisher.create_post("Leak probe & more", [media_id])))
        outputs.append(repr(publisher.create_post("Text only probe", link="https://example.org/")))
        outputs.append(repr(publisher.find_post("Text only probe", since, clock.now())))
        endpoint = "x.create_post" if label.startswith("x") else "facebook.feed"
        me = "x.me" if label.startswith("x") else "facebook.me"
        sandbox.faults.add(Fault(endpoint, "drop_after"))
        sandbox.faults.add(Fault(me, "unauthorized"))
        failures: list[PublishError] = []
        with pytest.raises(UnknownOutcome) as dropped:
            publisher.create_post("Dropped probe")
        failures.append(dropped.value)
        with pytest.raises(AuthFailed) as refused_verify:
            publisher.verify()
        failures.append(refused_verify.value)
        for failure in failures:
            outputs += [str(failure), repr(failure), failure.platform_message]
    # A publisher whose credentials are wrong must not echo them either.
    wrong = {**environ, "CMC_FACEBOOK_PAGE_TOKEN": "wrong-page-token-123456"}
    with pytest.raises(AuthFailed) as refused:
        publisher_for("facebook-main", environ_override=wrong).verify()
    outputs.append(str(refused.value))

    captured = capfd.readouterr()
    logged = caplog.text + "\n".join(
        logging.Formatter().format(record) for record in caplog.records
    )
    everything = "\n".join([*outputs, captured.out, captured.err, logged])
    # The capture really holds the chatty DEBUG lines that would carry credentials.
    assert "Making API request" in everything  # tweepy
    assert "access_token=" in everything  # urllib3's request lines for facebook-sdk GETs
    assert "/2/tweets" in everything
    secrets = [*environ.values(), "wrong-page-token-123456"]
    for secret in secrets:
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            assert form not in everything, f"a credential leaked: {form[:12]}..."


def test_no_stored_token_appears_in_any_output_at_debug(
    everything_at_debug: logging.Handler,
    sandbox: Sandbox,
    clock: FrozenClock,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """The token store at DEBUG: SQLAlchemy logs every statement with its
    parameters and rows, urllib3 every request line; values are received,
    stored, read by another daemon and used in a request at once, renewed,
    re-encrypted under a new key, refused under a wrong one and reported.
    Each value is new to this process when it meets it (decrypted or received)."""
    caplog.set_level(logging.DEBUG)
    url = f"sqlite:///{tmp_path / 'campaign.db'}"
    upgrade_database(url)
    key = new_key()
    environ = {TOKEN_KEYS_ENV: key}
    values = [f"{name}-{secrets.token_urlsafe(16)}" for name in ("a1", "r1", "a2", "r2")]
    a1, r1, a2, r2 = values
    outputs: list[str] = []
    # Made with every logger at DEBUG: the engine logs its SQL, parameters and rows.
    with session_factory(url) as sessions:
        # Another daemon stored the first pair: this process meets it only decrypted.
        store_elsewhere(sessions, key, "x-main", {"access": a1, "refresh": r1}, clock.now())
        second = TokenStore(sessions, environ, writer="daemon probe:2", clock=clock)
        read = second.read("x-main")
        outputs += [repr(read), repr(read.get("access")), str(read.tokens)]
        access = read.value("access")
        requests.get(
            f"{sandbox.url}/2/users/me",
            # Not access_token=, which the Facebook transport's own filter masks.
            params={"session": access},
            headers={"Authorization": f"Bearer {access}"},
            timeout=5,
        )
        renewed = second.update(
            "x-main", lambda current: {"access": NewToken(a2), "refresh": NewToken(r2)}
        )
        outputs.append(repr(renewed))
        rotation = TokenStore(
            sessions, {TOKEN_KEYS_ENV: f"{new_key()},{key}"}, writer="rotate", clock=clock
        ).rotate_key(actor="probe")
        outputs.append(repr(rotation))
        wrong = TokenStore(sessions, {TOKEN_KEYS_ENV: new_key()}, writer="x", clock=clock)
        with pytest.raises(TokenKeyError) as refused:
            wrong.read("x-main")
        outputs += [str(refused.value), repr(refused.value)]
        outputs.append(repr(token_report(sessions, environ, clock.now())))

    captured = capfd.readouterr()
    logged = caplog.text + "\n".join(
        logging.Formatter().format(record) for record in caplog.records
    )
    everything = "\n".join([*outputs, captured.out, captured.err, logged])
    assert "INSERT INTO stored_tokens" in everything  # SQLAlchemy's DEBUG lines are in
    assert "/2/users/me?session=***" in everything  # urllib3's, the token masked
    for value in values:
        for form in {value, quote(value, safe=""), quote_plus(value)}:
            assert form not in everything, f"a stored token leaked: {form[:6]}..."


def test_publish_errors_carry_no_credentials(
    sandbox: Sandbox, publisher_for: PublisherFactory, environ: dict[str, str]
) -> None:
    wrong = {**environ, "CMC_X_MAIN_API_SECRET": "definitely-wrong-secret"}
    with pytest.raises(AuthFailed) as caught:
        publisher_for("x-main", environ_override=wrong).create_post("probe")
    text = f"{caught.value} {caught.value.platform_message}"
    assert "definitely-wrong-secret" not in text
    assert not any(value in text for value in environ.values())


def test_credentials_object_is_not_a_leak_path() -> None:
    credentials = Credentials({"page_access_token": "EAAB-very-secret"})
    assert "EAAB" not in repr(credentials)
    assert credentials.secrets() == ["EAAB-very-secret"]
