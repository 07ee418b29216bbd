"""``campaign rehearse --daemons 2`` with x-main on OAuth 2.0: two daemons share
the queue and the account's single-use refresh tokens across several token
expiries, and the account is never lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from scheduler.storage import tokens as rows
from scheduler.storage.database import open_database
from scheduler.storage.models import AlertEvent, Hold, Publication
from tests.conftest import ROOT
from tests.daemon.test_rehearse import campaign
from tests.platforms.test_x_auth_config import OAUTH1_CREDENTIALS, OAUTH2

# The shipped campaign spans about 34 days; tokens living 8 days expire about
# four times, and the speed cap (8 wall seconds per token) plays it in ~35 s.
TOKEN_LIFE_S = 8 * 86400


@pytest.mark.slow
def test_two_daemons_publish_across_several_token_expiries(tmp_path: Path) -> None:
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    assert OAUTH1_CREDENTIALS in text
    (tmp_path / "config.yaml").write_text(
        text.replace(OAUTH1_CREDENTIALS, OAUTH2 + "\n    daily_cap: 12", 1), encoding="utf-8"
    )
    for folder in ("posts", "media"):
        (tmp_path / folder).symlink_to(ROOT / folder)
    database = tmp_path / "rehearsal.db"
    result = campaign(
        "rehearse",
        "--config", str(tmp_path / "config.yaml"),
        "--speed", "250000",
        "--daemons", "2",
        "--token-life-s", str(TOKEN_LIFE_S),
        "--database", str(database),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS" in result.stdout
    # 250000x asked; capped so that each token lives 8 wall seconds.
    assert f"speed {TOKEN_LIFE_S / 8:,.0f}x" in result.stdout
    engine, sessions = open_database(f"sqlite:///{database}")
    try:
        with sessions() as session:
            states = set(session.scalars(select(Publication.state)))
            x_main = session.scalars(
                select(Publication.id).where(Publication.account_label == "x-main")
            ).all()
            holds = session.scalars(select(Hold.scope)).all()
            kinds = set(session.scalars(select(AlertEvent.kind)))
        version, sealed = rows.read_tokens(sessions, "x-main")
    finally:
        engine.dispose()
    assert states == {"published"} and x_main and not holds
    assert not kinds & {"token_expiring", "account_paused"}  # nothing lost, nothing paused
    # Connected once, then renewed at least three times (one commit each).
    assert version >= 4
    assert {token.written_by for token in sealed} <= {"rehearsal daemon 1", "rehearsal daemon 2"}
