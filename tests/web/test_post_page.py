"""One post's page: texts and weighted lengths, logo, siblings, publications, attempts."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from scheduler.config import load_config
from scheduler.platforms.x.text import XLengthCounter
from scheduler.web.post_page import platform_text
from tests.conftest import ROOT
from tests.web.seed import CANCELLED, NEEDS_REVIEW


def test_texts_appear_with_each_platforms_length(client: TestClient) -> None:
    html = client.get("/posts/2020-11-18-am-fr").text
    x_text = "Rejoignez le traité! #StopClusterBombsNow https://www.stopclustermunitions.org (2020-11-18-am)"
    assert x_text in html
    weighted = XLengthCounter.weighted_length(x_text)
    assert weighted != len(x_text)  # the URL counts 23
    assert f"{weighted} / 280 weighted" in html
    assert "/ 63,206 characters" in html


def test_logo_siblings_and_source(client: TestClient) -> None:
    html = client.get("/posts/2020-11-18-am-fr").text
    assert 'src="/media/logos/fr/join-the-treaty.png"' in html
    assert 'href="/posts/2020-11-18-am-en"' in html and 'href="/posts/2020-11-18-am-es"' in html
    assert "posts/2020-11-18.yaml:3" in html
    assert "Rejoignez le traité" in html  # the call's wording in the post's language


def test_each_image_shows_its_alt_text(client: TestClient) -> None:
    """The alt text is shown beside the image and is the image's own alt; an image
    without one says so."""
    html = client.get("/posts/2020-11-18-am-fr").text
    assert 'alt="Logo de la campagne : join-the-treaty"' in html
    assert "Alt text</span> Logo de la campagne : join-the-treaty" in html
    english = client.get("/posts/2020-11-18-am-en").text
    assert "No alt text" in english


def test_the_content_warning_is_shown_and_counted_where_a_platform_shows_it(
    client: TestClient,
) -> None:
    html = client.get("/posts/2020-11-18-am-es").text
    assert 'data-testid="post-content-warning">Imágenes de personas heridas<' in html
    assert 'data-testid="content-warning"' not in html  # X and Facebook show none
    assert "Content warning" not in client.get("/posts/2020-11-18-am-fr").text
    config = load_config(ROOT / "config.yaml")
    card = platform_text(config, "mastodon", "Texto #StopClusterBombsNow", "Heridos")
    assert card.content_warning == "Heridos"
    assert card.length.value == len("Heridos") + len("Texto #StopClusterBombsNow")
    plain = platform_text(config, "x", "Texto #StopClusterBombsNow", "Heridos")
    assert plain.content_warning is None


def test_publications_with_attempts_and_live_links(client: TestClient) -> None:
    html = client.get("/posts/2020-11-10-pm-en").text
    assert html.count('data-testid="publication"') == 2
    assert 'href="https://x.com/x-main/status/' in html
    assert 'href="https://www.facebook.com/120749411311458_' in html
    assert html.count('class="state state-published">published<') == 2
    assert html.count('class="outcome outcome-published">published<') == 2 and ">201<" in html


def test_needs_review_shows_the_unknown_outcome(client: TestClient) -> None:
    html = client.get(f"/posts/{NEEDS_REVIEW[0]}").text
    assert "needs review" in html and "read timed out after 20 s" in html


def test_audit_trail_of_the_post(client: TestClient) -> None:
    html = client.get(f"/posts/{CANCELLED[0]}").text
    assert "Audit trail" in html and "maria" in html
    assert "duplicate of the French press release" in html


def test_unknown_post_is_a_404_page_for_browsers(client: TestClient) -> None:
    response = client.get("/posts/no-such-post")
    assert response.status_code == 404
    assert "There is no post with the id &#39;no-such-post&#39;." in response.text
    assert '<a href="/">Every post is on the calendar</a>' in response.text
    assert "campaign timeline" not in response.text  # a command-line hint means nothing here


def test_a_misspelt_post_id_links_the_close_ones(client: TestClient) -> None:
    response = client.get("/posts/2020-11-18-am-fx")
    assert response.status_code == 404
    assert '<a href="/posts/2020-11-18-am-fr">Did you mean 2020-11-18-am-fr?</a>' in response.text


def test_an_unknown_address_is_a_404_page_for_browsers(client: TestClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "There is no page at this address." in response.text
    assert '<a href="/">Back to the calendar</a>' in response.text


def test_a_message_id_leads_to_its_first_language_version(client: TestClient) -> None:
    response = client.get("/posts/2020-11-18-am")
    assert response.status_code == 303
    assert response.headers["location"] == "/posts/2020-11-18-am-en"


def test_the_facts_read_cleanly_as_text(client: TestClient) -> None:
    """Read as text (a screen reader, a copy, a text browser), the facts have no stray
    space before punctuation: "(message conference-opens , revision 1)" was."""
    html = client.get("/posts/2020-11-18-am-fr").text
    facts = html[html.index('<dl class="facts">') : html.index("</dl>")]
    text = " ".join(re.sub(r"<[^>]+>", " ", facts).split())
    assert "Post id 2020-11-18-am-fr Message 2020-11-18-am Revision 1" in text
    assert not re.search(r" [,.;:)]", text), text
