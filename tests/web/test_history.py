"""The history page: filters, pages, and the CSV export."""

from __future__ import annotations

import csv
import io
import re

from starlette.testclient import TestClient

from tests.web.seed import (
    ALL_CANCELLED_POST,
    CANCELLED,
    FAILED,
    FORMULA_MESSAGE,
    MISSED,
    NEEDS_REVIEW,
)


def _post_ids(html: str) -> list[str]:
    table = html[html.index('data-testid="history-table"') : html.index("</table>")]
    return re.findall(r'<a href="/posts/([^"#]+)#publication-\d+">', table)


def test_first_page_is_newest_first_with_an_older_link(client: TestClient) -> None:
    html = client.get("/history").text
    ids = _post_ids(html)
    assert len(ids) == 100
    assert ids[0].startswith("2020-11-18-am")  # this morning's tries come first
    older = re.search(r'href="/history\?before=(\d+)" data-testid="older"', html)
    assert older
    next_ids = _post_ids(client.get(f"/history?before={older.group(1)}").text)
    assert len(next_ids) == 100
    # Post ids start with their day and slot: the next page is never newer.
    assert max(post[:13] for post in next_ids) <= min(post[:13] for post in ids)


def test_filters_by_platform_and_state(client: TestClient) -> None:
    html = client.get("/history?platform=x&state=failed").text
    assert _post_ids(html) == [FAILED[0]]
    assert 'option value="x" selected' in html and 'option value="failed" selected' in html


def test_filters_by_call_language_account_and_local_dates(client: TestClient) -> None:
    html = client.get(
        "/history?language=es&account=x-es&start=2020-11-17&end=2020-11-17&call=prevent-tragedies"
    ).text
    assert _post_ids(html) == [NEEDS_REVIEW[0]]
    whole_day = _post_ids(client.get("/history?start=2020-11-17&end=2020-11-17").text)
    tries = [post for post in whole_day if post.startswith("2020-11-17")]
    assert len(tries) == 12  # 2 messages x 3 languages x 2 accounts
    # and the operator's cancels made that morning, before anything was tried
    assert sorted(set(whole_day) - set(tries)) == [CANCELLED[0], ALL_CANCELLED_POST]


def test_publications_that_ended_without_an_attempt_are_rows_too(client: TestClient) -> None:
    html = client.get("/history?state=missed").text
    assert _post_ids(html) == [MISSED[0]]
    row = html[html.index('data-testid="history-row"') : html.index("</tr>", html.index("<tbody>"))]
    assert "no attempt" in row and "missed: found 3 h 10 min late" in row
    assert "Mon 16 Nov 2020, 19:10 CET" in row  # when it was found missed
    cancelled = _post_ids(client.get("/history?state=cancelled").text)
    # cancelled at the same moment: the higher publication number first
    assert cancelled == [ALL_CANCELLED_POST, ALL_CANCELLED_POST, CANCELLED[0]]
    rows = list(csv.DictReader(io.StringIO(client.get("/history.csv?state=missed").text)))
    assert [(r["post_id"], r["attempt_id"], r["outcome"], r["ended_at"]) for r in rows] == [
        (MISSED[0], "", "missed", "2020-11-16T18:10:00+00:00")
    ]


def test_pages_continue_after_those_rows(client: TestClient) -> None:
    """``before=p<publication>`` starts right after that row, as the CSV orders them."""
    rows = list(csv.DictReader(io.StringIO(client.get("/history.csv").text)))
    (index,) = [
        i for i, row in enumerate(rows) if row["post_id"] == CANCELLED[0] and not row["attempt_id"]
    ]
    after = _post_ids(client.get(f"/history?before=p{rows[index]['publication_id']}").text)
    assert after == [row["post_id"] for row in rows[index + 1 : index + 101]]


def test_a_misspelt_filter_suggests_the_campaigns_value(client: TestClient) -> None:
    html = client.get("/history?platform=twitter&language=french").text
    assert "unknown platform &#39;twitter&#39; ignored (did you mean x?)" in html
    assert "unknown language &#39;french&#39; ignored (did you mean fr?)" in html


def test_an_unknown_filter_value_is_ignored_and_said(client: TestClient) -> None:
    html = client.get("/history?platform=myspace&start=17/11/2020").text
    assert "unknown platform &#39;myspace&#39; ignored" in html
    assert "start date &#39;17/11/2020&#39; ignored: use YYYY-MM-DD" in html
    assert len(_post_ids(html)) == 100


def test_csv_export_follows_the_filters(client: TestClient) -> None:
    response = client.get("/history.csv?platform=facebook&start=2020-11-10&end=2020-11-10")
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 6
    assert {row["platform"] for row in rows} == {"facebook"}
    first = rows[0]
    assert first["scheduled_at"].endswith("+00:00") and first["scheduled_at_local"].endswith(
        "+01:00"
    )
    assert first["platform_url"].startswith("https://www.facebook.com/")


def test_csv_cells_cannot_become_spreadsheet_formulas(client: TestClient) -> None:
    rows = list(csv.DictReader(io.StringIO(client.get("/history.csv?state=failed").text)))
    assert [row["platform_message"] for row in rows] == ["'" + FORMULA_MESSAGE]


def test_csv_export_of_nothing_still_has_its_header(client: TestClient) -> None:
    text = client.get("/history.csv?start=2019-01-01&end=2019-01-02").text
    assert text.splitlines()[0].startswith("attempt_id,started_at,")
    assert len(text.splitlines()) == 1
