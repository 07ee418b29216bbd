"""What a database knows about itself: the campaign it belongs to (recorded by the
first sync, refused for another campaign's file, naming both) and the posts its
queue has dealt with (never reported as past)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from scheduler.config import CampaignConfig
from scheduler.errors import ConfigError
from scheduler.storage.database import reading, upgrade_database
from scheduler.storage.facts import open_campaign_database, read_facts
from scheduler.storage.models import PublicationState
from scheduler.storage.queries import settled_posts
from scheduler.storage.sync import sync_posts
from tests.storage.conftest import NOW, make_post, set_state

Sessions = sessionmaker[Session]


def _with_id(config: CampaignConfig, campaign_id: str | None) -> CampaignConfig:
    campaign = config.campaign.model_copy(update={"id": campaign_id})
    copy = config.model_copy(update={"campaign": campaign})
    copy._base_dir = config._base_dir
    return copy


def test_the_first_sync_records_the_campaign_id(sessions: Sessions, config: CampaignConfig) -> None:
    with reading(sessions) as session:
        assert read_facts(session).campaign_id is None
    sync_posts(sessions, [make_post()], config, now=NOW)
    with reading(sessions) as session:
        assert read_facts(session).campaign_id == config.campaign.id == "ccm-2rc-2020"
    sync_posts(sessions, [make_post()], config, now=NOW)  # the same campaign again: fine


def test_a_config_of_another_campaign_is_refused_naming_both(
    sessions: Sessions, config: CampaignConfig
) -> None:
    sync_posts(sessions, [make_post()], config, now=NOW)
    other = _with_id(config, "ccm-2027")
    for dry_run in (False, True):
        with pytest.raises(ConfigError) as caught:
            sync_posts(sessions, [make_post()], other, now=NOW, dry_run=dry_run)
        message = str(caught.value)
        assert "belongs to the campaign 'ccm-2rc-2020'" in message
        assert "config.yaml is the campaign 'ccm-2027'" in message
        assert "campaign new" in message


def test_a_config_without_an_id_is_refused_once_the_database_has_one(
    sessions: Sessions, config: CampaignConfig
) -> None:
    sync_posts(sessions, [make_post()], config, now=NOW)
    with pytest.raises(ConfigError, match="add `id: ccm-2rc-2020`"):
        sync_posts(sessions, [make_post()], _with_id(config, None), now=NOW)


def test_every_command_refuses_another_campaigns_database(
    tmp_path: Path, config: CampaignConfig
) -> None:
    url = f"sqlite:///{tmp_path / 'campaign.db'}"
    upgrade_database(url)
    database = open_campaign_database(url, config)
    try:
        sync_posts(database.sessions, [make_post()], config, now=NOW)
    finally:
        database.engine.dispose()
    with pytest.raises(ConfigError, match=r"'ccm-2rc-2020', but config\.yaml is the campaign"):
        open_campaign_database(url, _with_id(config, "ccm-2027"))


def test_settled_posts_are_those_with_nothing_left_waiting(
    sessions: Sessions, config: CampaignConfig
) -> None:
    posts = [make_post("out-en"), make_post("half-en", text="Half #StopClusterBombsNow")]
    sync_posts(sessions, posts, config, now=NOW)
    set_state(sessions, "out-en", "x-main", PublicationState.PUBLISHED)
    set_state(sessions, "out-en", "facebook-main", PublicationState.MISSED)
    set_state(sessions, "half-en", "x-main", PublicationState.PUBLISHED)
    with reading(sessions) as session:
        assert settled_posts(session) == {"out-en"}


def test_a_sync_under_way_does_not_call_posts_already_out_past(
    tmp_path: Path, config: CampaignConfig
) -> None:
    """Mid-campaign: a post that went out is past, but history; a post still
    pending and past would be missed, so the sync refuses."""
    from scheduler.storage.service import check_and_sync

    campaign_dir = tmp_path / "campaign"
    posts = campaign_dir / "posts"
    posts.mkdir(parents=True)
    (campaign_dir / "config.yaml").write_text(
        (Path(config.base_dir) / "config.yaml").read_text(encoding="utf-8")
    )
    (campaign_dir / "media").symlink_to(Path(config.base_dir) / "media")
    (posts / "a.yaml").write_text(
        'id: early\ncall: save-lives\nat: "2020-11-02 09:00"\nstatus: approved\n'
        'language: en\ntext: "Save lives. #StopClusterBombsNow"\n'
    )
    from scheduler.config import load_config

    local = load_config(campaign_dir / "config.yaml")
    url = f"sqlite:///{tmp_path / 'campaign.db'}"
    upgrade_database(url)
    database = open_campaign_database(url, local)
    try:
        before = datetime(2020, 11, 1, tzinfo=UTC)
        assert check_and_sync(local, database.sessions, now=before).ok
        after = datetime(2020, 11, 5, tzinfo=UTC)
        refused = check_and_sync(local, database.sessions, now=after)
        assert not refused.ok and [p.rule for p in refused.report.errors] == ["past"]
        for label in ("x-main", "facebook-main", "bluesky-main", "mastodon-main"):
            set_state(database.sessions, "early", label, PublicationState.PUBLISHED)
        assert check_and_sync(local, database.sessions, now=after).ok
    finally:
        database.engine.dispose()
