"""Property tests: whatever a file holds, the outcome is posts or clean problems.

Arbitrary bytes and arbitrary YAML-like documents go through the loader and
the whole check; nothing but :class:`ContentError` (from the loader) or
:class:`Problem` (from the check) may come out. Example counts stay modest so
the suite stays quick; no example database is written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twitter_text import parse_tweet

from scheduler.config import CampaignConfig
from scheduler.content.check import check_paths
from scheduler.errors import ContentError
from scheduler.platforms.x.text import XLengthCounter, _certainly_fits
from scheduler.yamlsafe import load_bytes

QUICK = settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Scalars people type, including every trap the loader knows.
SCALARS = st.sampled_from(
    [
        "10:00",
        "09:30",
        "on",
        "no",
        "yes",
        "0755",
        "0x1F",
        "19.10",
        "12",
        "~",
        "true",
        "2020-11-02",
        '"2020-11-02 09:00"',
        '"2020-10-25 02:30"',
        '"day 2 at 12:00"',
        '"+30 min"',
        "Join us #StopClusterBombsNow",
        '"Join us #StopClusterBombsNow"',
        '"#stopclusterbombsnow"',
        "join-the-treaty",
        "save-lives",
        "[logo, 12-reasons]",
        "[../config.yaml]",
        "[x, facebook, x-main]",
        "&anchor value",
        "*anchor",
        "!tag value",
        "!!python/object:os.system {}",
        "'single quoted'",
        "{a: 1}",
        "",
        "|",
        "\t",
        "é",
        "😷",
    ]
)
KEYS = st.sampled_from(
    [
        "id",
        "call",
        "at",
        "language",
        "text",
        "variants",
        "link",
        "media",
        "targets",
        "status",
        "video",
        "en",
        "fr",
        "es",
        "de",
        "posts",
        "x",
        "facebook",
        "txet",
        "<<",
        "- id",
        "-",
    ]
)
LINES = st.lists(
    st.tuples(st.integers(0, 6), KEYS, SCALARS).map(
        lambda parts: " " * parts[0] + f"{parts[1]}: {parts[2]}"
    ),
    min_size=1,
    max_size=14,
)


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@QUICK
@given(raw=st.binary(max_size=400))
def test_arbitrary_bytes_load_or_fail_cleanly(raw: bytes) -> None:
    for collect in (False, True):
        try:
            load_bytes(raw, "fuzz.yaml", collect=collect)
        except ContentError as error:
            assert error.line >= 1 and error.column >= 1 and error.problem


@QUICK
@given(text=st.text(max_size=300))
def test_arbitrary_text_loads_or_fails_cleanly(text: str) -> None:
    try:
        document = load_bytes(text.encode("utf-8", errors="surrogatepass"), "fuzz.yaml")
    except ContentError as error:
        assert error.problem
    else:
        assert document.root is not None


def _check(config: CampaignConfig, folder: Path, content: bytes) -> None:
    path = folder / "fuzz.yaml"
    path.write_bytes(content)
    report = check_paths(config, [path])
    for problem in report.problems:
        assert problem.line >= 1 and problem.column >= 1 and problem.message
        assert problem.severity in ("error", "warning")
    for post in report.posts:
        assert post.publish_at.tzinfo is not None and post.targets and post.media


@QUICK
@given(lines=LINES)
def test_yaml_like_documents_give_posts_or_problems(
    config: CampaignConfig, fuzz_dir: Path, lines: list[str]
) -> None:
    _check(config, fuzz_dir, ("\n".join(lines) + "\n").encode("utf-8"))


POST_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    SCALARS,
    st.lists(st.text(max_size=12), max_size=5),
)


@QUICK
@given(
    posts=st.lists(
        st.dictionaries(KEYS, POST_VALUES, max_size=8)
        | st.fixed_dictionaries(
            {
                "id": st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True),
                "call": st.sampled_from(["join-the-treaty", "save-lives", "nope"]),
                "at": st.sampled_from(["2020-11-02 09:00", "day 2 at 12:00", "2020-12-01 09:00"]),
                "language": st.sampled_from(["en", "fr", "es", "xx"]),
                "text": st.text(max_size=300).map(lambda text: text + " #StopClusterBombsNow"),
                "status": st.sampled_from(["draft", "approved", "cancelled"]),
            }
        ),
        max_size=4,
    )
)
def test_structured_documents_give_posts_or_problems(
    config: CampaignConfig, fuzz_dir: Path, posts: list[dict[str, object]]
) -> None:
    content = yaml.safe_dump({"posts": posts}, allow_unicode=True)
    _check(config, fuzz_dir, content.encode("utf-8"))


TWEET_TEXT = st.lists(
    st.one_of(
        st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=40),
        st.text(
            alphabet="éàçñüÉ日本語中文😷👨‍👩‍👧‍👦🇯🇵©®™\u0301\u200d\ufe0f\u20e3#1 .", max_size=20
        ),
        st.sampled_from(
            [
                "https://www.clusterconvention.org",
                "example.com",
                "a.co",
                "e.g.",
                "www.stopclustermunitions.org/x?y=1",
                "t.co/abc",
                "1.5",
            ]
        ),
    ),
    max_size=20,
).map(" ".join)


@settings(max_examples=150, deadline=None, database=None)
@given(text=TWEET_TEXT)
def test_the_cheap_x_bound_never_accepts_what_x_refuses(text: str) -> None:
    parsed = parse_tweet(text)
    if _certainly_fits(text):
        assert parsed.valid, (text, parsed.weightedLength)
    overflow = XLengthCounter().overflow(text)
    assert (overflow is None) == parsed.valid
