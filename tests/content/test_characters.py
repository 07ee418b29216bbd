"""Characters that are not what they look like, and quotes inside quotes: each named
at its own line and column with a fix that works, never a syntax error past the
end of the file."""

from __future__ import annotations

import re

import pytest
import yaml

from scheduler.errors import ContentError
from scheduler.yamlsafe import load_text
from tests.content.conftest import CheckText

POST = 'id: a\ncall: {call}\nat: "2020-11-02 09:00"\nlanguage: en\ntext: {text}\n'


def error_of(text: str) -> ContentError:
    with pytest.raises(ContentError) as caught:
        load_text(text, "post.yaml")
    return caught.value


@pytest.mark.parametrize(
    ("call", "text", "line", "column", "words"),
    [
        pytest.param(
            "join-the-treaty",
            '"Join. \uff03StopClusterBombsNow"',
            5,
            14,
            "U+FF03 (fullwidth number sign) looks like # but is another character",
            id="full-width hash in a text",
        ),
        pytest.param(
            "join-the-treaty",
            '"Join. #Stop\u200bClusterBombsNow"',
            5,
            19,
            "an invisible character, U+200B (zero width space)",
            id="zero-width space inside the hashtag",
        ),
        pytest.param(
            "join-the-\u200btreaty",
            '"Join. #StopClusterBombsNow"',
            2,
            16,
            "U+200B (zero width space)",
            id="zero-width space inside a call",
        ),
        pytest.param(
            "join-the-treaty",
            '"Join.\u2028 #StopClusterBombsNow"',
            5,
            13,
            "an invisible line break, U+2028 (line separator)",
            id="line separator inside quotes",
        ),
        pytest.param(
            "join-the-treaty\u2028",
            '"Join. #StopClusterBombsNow"',
            2,
            22,
            "U+2028 (line separator)",
            id="line separator after a plain value",
        ),
        pytest.param(
            "join-the-treaty",
            'Join.\u0085 more "#StopClusterBombsNow"',
            5,
            12,
            "U+0085 (next line)",
            id="next line character",
        ),
        pytest.param(
            "join-the-tre\u0430ty",
            '"Join. #StopClusterBombsNow"',
            2,
            19,
            "the Cyrillic letter \u0430 in 'tre\u0430ty' looks like a Latin letter",
            id="a Cyrillic letter in a Latin word",
        ),
        pytest.param(
            "join-the-treaty",
            '"Join.\ufeff #StopClusterBombsNow"',
            5,
            13,
            "U+FEFF",
            id="a byte order mark in the middle",
        ),
    ],
)
def test_each_character_is_named_at_its_column(
    check: CheckText, call: str, text: str, line: int, column: int, words: str
) -> None:
    checked = check(POST.format(call=call, text=text))
    problems = [p for p in checked.report.problems if p.severity == "error"]
    assert len(problems) == 1, problems  # no second error about the same value
    (problem,) = problems
    assert (problem.line, problem.column, problem.rule) == (line, column, "character"), problem
    assert words in problem.message
    assert "syntax error" not in problem.message


@pytest.mark.parametrize(
    ("source", "line", "column", "words", "fix"),
    [
        pytest.param(
            "id: a\ncall\uff1a join-the-treaty\nat: x\n",
            2,
            5,
            "U+FF1A (fullwidth colon) looks like ':'",
            "type ':' instead",
            id="full-width colon after a key",
        ),
        pytest.param(
            "posts:\n  - id: a\n\u00a0\u00a0\u00a0 call: x\n",
            3,
            1,
            "3 characters that look like spaces but are not (U+00A0 (no-break space))",
            "type plain spaces instead",
            id="non-breaking spaces in the indentation",
        ),
        pytest.param(
            "id: a\n\uff43\uff41\uff4c\uff4c: x\n",
            2,
            1,
            "'\uff43\uff41\uff4c\uff4c' looks like 'call'",
            "type 'call' instead",
            id="a key in full-width letters",
        ),
        pytest.param(
            'id: a\ncall: x\u2028  more: "y"\n',
            2,
            8,
            "an invisible line break, U+2028",
            "delete it",
            id="a line separator that breaks the structure",
        ),
    ],
)
def test_a_character_that_breaks_the_file_is_named_instead_of_a_syntax_error(
    source: str, line: int, column: int, words: str, fix: str
) -> None:
    error = error_of(source)
    assert (error.line, error.column) == (line, column), error
    assert words in error.problem and "syntax" not in error.problem
    assert error.hint is not None and fix in error.hint


def test_what_belongs_in_a_text_is_left_alone(check: CheckText) -> None:
    """French typography's non-breaking space, an emoji built with a zero-width
    joiner, Cyrillic words, a Japanese full-width exclamation mark, and a comment
    holding anything: none of them is a mistake."""
    text = (
        '"Rejoignez le traité\u00a0! \U0001f469\u200d\U0001f469\u200d\U0001f467 '
        'Присоединяйтесь\uff01 #StopClusterBombsNow"  # a comment \u200b \uff03'
    )
    checked = check(POST.format(call="join-the-treaty", text=text))
    assert [p for p in checked.report.problems if p.rule == "character"] == []


def _fixed(source: str, hint: str) -> str:
    """``source`` with its broken line replaced by the fix the hint gives first."""
    key_line = re.search(r"(\w+: '.*')", hint)
    assert key_line is not None, hint
    replacement = key_line.group(1)
    key = replacement.split(":", 1)[0]
    return re.sub(rf"(?m)^(\s*){key}: .*$", lambda m: m.group(1) + replacement, source, count=1)


@pytest.mark.parametrize(
    "written",
    [
        'en: "He said "join the treaty" today. #StopClusterBombsNow"',
        'en: "L\'appel "urgent" de Lausanne #StopClusterBombsNow"',
    ],
)
def test_quotes_inside_double_quotes_get_a_fix_that_works(written: str) -> None:
    source = f"posts:\n  - id: a\n    {written}\n"
    error = error_of(source)
    assert error.problem == (
        "the text holds double quotes of its own, and YAML ends the text at the first of them"
    )
    assert (error.line, error.column) == (3, written.index('"', 5) + 5)
    assert error.hint is not None and "must be in double quotes" not in error.hint
    fixed = _fixed(source, error.hint)
    intended = written[len('en: "') : -1]
    assert yaml.safe_load(fixed)["posts"][0]["en"] == intended
    block = error.hint.split("with no quotes): ", 1)[1]
    assert yaml.safe_load(f"posts:\n  - id: a\n    {block}\n")["posts"][0]["en"] == intended


def test_an_apostrophe_inside_single_quotes_gets_double_quotes() -> None:
    error = error_of("text: 'L'appel de Lausanne #StopClusterBombsNow'\n")
    assert error.problem.startswith("the text holds an apostrophe or single quote of its own")
    assert error.hint is not None
    assert 'text: "L\'appel de Lausanne #StopClusterBombsNow"' in error.hint


def test_curly_quotes_around_a_value_are_named(check: CheckText) -> None:
    checked = check(
        "id: a\ncall: join-the-treaty\nat: \u201c2020-11-02 09:00\u201d\nlanguage: en\n"
        'text: "Join. #StopClusterBombsNow"\n'
    )
    (problem,) = checked.report.problems
    assert (problem.line, problem.column) == (3, 5)
    assert "curly quotes" in problem.message
    assert problem.hint == 'use straight double quotes: at: "2020-11-02 09:00"'
