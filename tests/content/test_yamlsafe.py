"""The strict loader: every YAML 1.1 trap becomes a ContentError with position and fix."""

from __future__ import annotations

import re

import pytest

from scheduler.errors import ContentError
from scheduler.yamlsafe import Mark, load_bytes, load_text


def error_of(text: str) -> ContentError:
    with pytest.raises(ContentError) as caught:
        load_text(text, "post.yaml")
    return caught.value


def test_hashtag_after_an_unquoted_value_is_a_comment_trap() -> None:
    error = error_of("text: Join the Treaty #StopClusterBombsNow\n")
    assert (error.line, error.column) == (1, 23)
    assert "'#StopClusterBombsNow' is silently dropped" in error.problem
    assert error.hint is not None and "double quotes" in error.hint


def test_hashtag_outside_the_quotes_is_caught_too() -> None:
    error = error_of('text: "Join the Treaty" #StopClusterBombsNow\n')
    assert (error.line, error.column) == (1, 25)


def test_an_ordinary_comment_is_fine() -> None:
    document = load_text('at: "2020-11-02 09:00"  # a Monday\n', "post.yaml")
    assert document.data == {"at": "2020-11-02 09:00"}


def assert_must_be_quoted(line: str, column: int, problem: str, hint: str) -> None:
    """Loading the one ``line`` fails at ``column`` with ``problem`` and exactly ``hint``."""
    error = error_of(line)
    assert (error.line, error.column) == (1, column)
    assert problem in error.problem
    assert error.hint == hint


@pytest.mark.parametrize("word", ["on", "no", "Yes", "off", "y", "N"])
def test_yes_no_on_off_words_must_be_quoted(word: str) -> None:
    hint = f'quote it: "{word}" (or write true/false if you meant a yes/no value)'
    assert_must_be_quoted(f"status: {word}\n", 9, "would be read as true/false", hint)


@pytest.mark.parametrize("value", ["10:00", "09:30", "1:30:00"])
def test_times_must_be_quoted(value: str) -> None:
    assert_must_be_quoted(f"at: {value}\n", 5, "base 60", f'quote it: "{value}"')


@pytest.mark.parametrize("value", ["0755", "0x1F", "0b101"])
def test_numbers_in_other_bases_must_be_quoted(value: str) -> None:
    assert "another base" in error_of(f"id: {value}\n").problem


def test_duplicate_keys_are_an_error_naming_the_first() -> None:
    error = error_of("text: one\ncall: save-lives\ntext: two\n")
    assert (error.line, error.column) == (3, 1)
    assert "the key 'text' appears twice (first on line 1)" in error.problem
    assert error.hint == "remove or rename one of the two 'text' keys"


def test_tab_indentation_names_the_line() -> None:
    error = error_of("posts:\n  - id: a\n\t  call: save-lives\n")
    assert error.line == 3
    assert "tab" in error.problem and error.hint is not None and "spaces" in error.hint


def test_a_tab_inside_quoted_text_is_fine() -> None:
    assert load_text('text: "a\tb"\n', "post.yaml").data == {"text": "a\tb"}


@pytest.mark.parametrize("text", ["", "   \n\n", "# only a comment\n"])
def test_empty_files_are_an_error(text: str) -> None:
    error = error_of(text)
    assert "empty" in error.problem or "only comments" in error.problem
    assert error.hint is not None


def test_bytes_that_are_not_utf8_name_the_position() -> None:
    with pytest.raises(ContentError) as caught:
        load_bytes("id: a\ntext: caf\xe9\n".encode("latin-1"), "post.yaml")
    assert (caught.value.line, caught.value.column) == (2, 10)
    assert "not UTF-8 (byte 0xe9" in caught.value.problem
    assert caught.value.hint is not None and "UTF-8" in caught.value.hint


def test_a_utf8_bom_is_accepted() -> None:
    assert load_bytes(b"\xef\xbb\xbfid: a\n", "post.yaml").data == {"id": "a"}


def test_control_characters_are_named_with_their_position() -> None:
    error = error_of("id: a\ntext: x\x01y\n")
    assert (error.line, error.column) == (2, 8)
    assert "U+0001" in error.problem


def test_several_documents_are_an_error() -> None:
    error = error_of("id: a\n---\nid: b\n")
    assert "several YAML documents" in error.problem
    assert error.hint is not None and "posts:" in error.hint


def test_aliases_are_refused_at_the_alias() -> None:
    error = error_of("a: &x hello\nb: *x\n")
    assert (error.line, error.column) == (2, 1)
    assert "aliases" in error.problem


def test_merge_keys_are_refused() -> None:
    assert "merge keys" in error_of("base: {a: 1}\nother:\n  <<: {b: 2}\n").problem


@pytest.mark.parametrize("text", ["!!python/object:os.system {}\n", "a: !custom x\n"])
def test_tags_are_refused(text: str) -> None:
    assert "is not allowed" in error_of(text).problem


def test_syntax_errors_point_at_the_spot_and_explain_quoting() -> None:
    error = error_of('id: a\ntext: "unclosed\n')
    assert error.line >= 2
    assert error.problem.startswith("YAML syntax error")
    assert error.hint is not None and "double quotes" in error.hint


def test_very_long_numbers_are_a_clean_error() -> None:
    assert "too long" in error_of("n: " + "9" * 5000 + "\n").problem


def test_deep_nesting_is_a_clean_error() -> None:
    assert error_of("a: " + "[" * 5000 + "\n").problem


def test_plain_values_keep_what_was_written() -> None:
    document = load_text(
        "at: 2020-11-02\nversion: 19.10\nn: 12\nok: true\nnothing: ~\nquoted: 'on'\n", "f.yaml"
    )
    assert document.data == {
        "at": "2020-11-02",
        "version": 19.1,
        "n": 12,
        "ok": True,
        "nothing": None,
        "quoted": "on",
    }
    assert document.plain_scalars[("version",)] == "19.10"
    assert ("quoted",) not in document.plain_scalars


def test_positions_of_values_and_keys() -> None:
    document = load_text("posts:\n  - id: a\n    text: hello\n", "f.yaml")
    assert document.mark(("posts", 0, "text")) == Mark(3, 11)
    assert document.key_mark(("posts", 0, "text")) == Mark(3, 5)
    assert document.positions[("posts", 0, "id")] == Mark(2, 9)
    assert document.key_positions[("posts", 0, "id")] == Mark(2, 5)
    # A path that does not exist falls back to its closest parent.
    assert document.mark(("posts", 0, "missing")) == Mark(2, 5)


def test_collect_mode_gathers_every_trap_and_keeps_the_text_as_written() -> None:
    text = "status: yes\nat: 10:00\ntext: Join #StopClusterBombsNow\nstatus: no\n"
    document = load_text(text, "f.yaml", collect=True)
    assert [(p.line, p.column) for p in document.problems] == [(1, 9), (2, 5), (3, 12), (4, 1)]
    assert document.data == {"status": "yes", "at": "10:00", "text": "Join"}
    assert ("status",) in document.problem_paths and ("at",) in document.problem_paths
    assert [(trap.path, trap.kind, trap.written) for trap in document.traps] == [
        (("status",), "bool-word", "yes"),
        (("at",), "sexagesimal", "10:00"),
        (("text",), "hashtag-comment", "Join"),
        (("status",), "duplicate-key", ""),
    ]


def test_a_word_is_found_inside_a_block_scalar() -> None:
    text = "id: a\ntext: >-\n  Save lives\n  and join #StopClusterBombsNow\n\n# a #comment\n"
    document = load_text(text, "f.yaml")
    hashtag = re.compile("#StopClusterBombsNow")
    assert document.mark(("text",)) == Mark(2, 7)  # the `>-` indicator
    assert document.find_in_value(("text",), hashtag) == Mark(4, 12)
    assert document.find_in_value(("text",), re.compile("#comment")) is None
    assert document.value_start(("text",)) == Mark(3, 3)
    assert document.value_end(("text",)) == Mark(4, 32)
    assert document.scalar_style(("text",)) == ">" and document.scalar_style(("id",)) == ""
    quoted = load_text('text: "Save lives #x"\n', "f.yaml")
    assert quoted.value_end(("text",)) == Mark(1, 21)  # before the closing quote


def test_a_colon_inside_unquoted_text_suggests_the_quoted_line() -> None:
    error = error_of("id: a\ntext: Three weeks to go: join the Treaty\n")
    assert (error.line, error.column) == (2, 24)
    assert "an unquoted value contains `: `" in error.problem
    assert (
        error.hint
        == 'put the whole value in double quotes: text: "Three weeks to go: join the Treaty"'
    )


def test_a_key_indented_out_of_line() -> None:
    error = error_of("posts:\n  - id: a\n    call: save-lives\n     at: x\n")
    assert (error.line, error.column) == (4, 8)
    assert error.problem == "this key is indented differently from the keys around it"


def test_curly_quotes_get_their_own_hint() -> None:
    error = error_of("text: \u201cJoin #StopClusterBombsNow\u201d\n")
    assert error.hint == 'curly quotes are text to YAML: use straight double quotes ("...")'
