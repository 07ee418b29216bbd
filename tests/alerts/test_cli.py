"""`campaign alerts test`, `campaign watch`, `campaign status` and the alerts
section of config.yaml, used as a person would."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.alerts.receiver import AlertReceiver
from scheduler.errors import ConfigError
from tests.storage.cli_helpers import run, write_campaign

ALERTS = """
alerts:
  targets:
    - url_env: TEAM_HOOK
      events: [failed, missed, needs_review, digest]
    - url_env: TEAM_MAIL
  digest_at: "07:30"
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_campaign(tmp_path, monkeypatch)
    with (tmp_path / "config.yaml").open("a", encoding="utf-8") as file:
        file.write(ALERTS)
    return tmp_path


def test_alerts_test_sends_to_every_target_and_says_which_did_not_take_it(
    folder: Path, receiver: AlertReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAM_HOOK", receiver.url)
    monkeypatch.delenv("TEAM_MAIL", raising=False)

    out = run("alerts", "test", code=1)

    assert "sent to TEAM_HOOK (hears: failed, missed, needs_review, digest)" in out
    assert "not sent to TEAM_MAIL: TEAM_MAIL is not set" in out
    (alert,) = receiver.alerts()
    assert alert.kind == "test" and "Test alert" in alert.title
    monkeypatch.setenv("TEAM_MAIL", receiver.url.replace("/alerts", "/mail"))
    assert "sent to TEAM_MAIL" in run("alerts", "test")


def test_watch_exits_1_and_alerts_when_no_daemon_runs_while_posts_are_due(
    folder: Path, receiver: AlertReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAM_HOOK", receiver.url)
    monkeypatch.setenv("TEAM_MAIL", receiver.url)
    run("db", "upgrade")
    run("sync")

    out = run("watch", code=1)  # the posts of 2020 wait, overdue, and no daemon ever ran
    assert "no daemon is alive while 0 publication(s) are due within 3 h and 8 are overdue" in out
    assert "(alert raised)" in out
    assert "(alerted before)" in run("watch", code=1)
    (alert,) = receiver.alerts()  # once, and only to the target that hears no_daemon
    assert alert.kind == "no_daemon"
    assert "No daemon is publishing: none has ever run on this database." in alert.message
    assert "start `campaign run`" in alert.message


def test_status_shows_a_target_that_does_not_take_messages(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAM_HOOK", "json://127.0.0.1:9/hook")
    monkeypatch.delenv("TEAM_MAIL", raising=False)
    config = folder / "config.yaml"  # the digest is due whatever the time of day
    config.write_text(config.read_text().replace('digest_at: "07:30"', 'digest_at: "00:00"'))
    run("db", "upgrade")
    run("pause", "--reason", "embargo")
    run("watch", code=0)

    out = " ".join(run("status").split())
    # The pause and the digest (no daemon raised it) wait for both targets.
    assert "alerts to TEAM_MAIL are not getting through (2 waiting, 0 given up)" in out
    assert "TEAM_MAIL is not set; put the target's Apprise URL in it" in out
    assert "alerts to TEAM_HOOK are not getting through (1 waiting, 0 given up)" in out


def test_an_unknown_event_name_is_refused_with_the_right_one(folder: Path) -> None:
    text = (folder / "config.yaml").read_text().replace("needs_review, digest", "needs-review")
    (folder / "config.yaml").write_text(text)
    with pytest.raises(
        ConfigError, match="unknown event 'needs-review'; did you mean 'needs_review'"
    ):
        from scheduler.config import load_config

        load_config(folder / "config.yaml")


def test_an_unquoted_digest_time_is_refused_with_a_quote_hint(folder: Path) -> None:
    text = (folder / "config.yaml").read_text().replace('digest_at: "07:30"', "digest_at: 07:30")
    (folder / "config.yaml").write_text(text)
    from scheduler.config import load_config

    with pytest.raises(ConfigError, match='quote it: "07:30"'):
        load_config(folder / "config.yaml")


@pytest.mark.parametrize("value", ["slack://T0SECRET1/B0SECRET2/Xy9SecretTokenValue", "team_hook"])
def test_a_url_or_a_bad_name_in_url_env_is_refused_without_repeating_it(
    folder: Path, value: str
) -> None:
    from scheduler.config import load_config

    config = folder / "config.yaml"
    config.write_text(config.read_text().replace("url_env: TEAM_MAIL", f"url_env: {value}"))
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    message = str(caught.value)
    assert "url_env must be the name of an environment variable" in message
    assert value not in message and "Xy9SecretTokenValue" not in message


def test_a_secret_written_where_its_variable_belongs_is_refused_without_repeating_it(
    folder: Path,
) -> None:
    from scheduler.config import load_config

    config = folder / "config.yaml"
    secret = "EAAJsEcReTpAgEtOkEn123"
    config.write_text(config.read_text().replace("CMC_FACEBOOK_PAGE_TOKEN", secret.lower()))
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    message = str(caught.value)
    assert "must be the name of an environment variable" in message
    assert secret.lower() not in message and "quote it" not in message
