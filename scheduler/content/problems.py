"""Placing findings in a file: each :class:`Problem` gets ``path:line:column``.

Findings are reported against a YAML path (``("posts", 3, "fr", "text")``);
the line and column are looked up in the loaded document only when a finding
is made, so clean files pay nothing for positions.
"""

from __future__ import annotations

from collections.abc import Iterable

from scheduler.content.resolved import Problem, Severity
from scheduler.errors import ContentError
from scheduler.validation_words import closest
from scheduler.yamlsafe import Document, Mark
from scheduler.yamlsafe import Path as YamlPath

__all__ = ["FileProblems", "closest", "did_you_mean", "one_of"]


class FileProblems:
    """The problems of one file.

    ``display_path`` is how the file is named in messages. When the loader
    already reported a trap at a YAML path (a YAML 1.1 misreading, a duplicate
    key), later findings at that path or below it are dropped: they would only
    repeat the same mistake in other words.
    """

    def __init__(self, display_path: str, document: Document | None = None) -> None:
        self.display_path = display_path
        self.document = document
        self.problems: list[Problem] = []
        self._seen: set[tuple[str, int, int, str]] = set()

    def add(
        self,
        severity: Severity,
        rule: str,
        message: str,
        hint: str | None,
        at: YamlPath = (),
        *,
        key: bool = False,
        post_id: str | None = None,
        mark: Mark | None = None,
    ) -> None:
        """Record a finding at the value (or, with ``key``, the key) of YAML path ``at``,
        or at ``mark`` inside that value when given (a word within a text)."""
        line, column = 1, 1
        if self.document is not None:
            flagged = self.document.problem_paths
            if flagged and any(at[:length] in flagged for length in range(1, len(at) + 1)):
                return
            if mark is None:
                mark = self.document.key_mark(at) if key else self.document.mark(at)
        if mark is not None:
            line, column = mark.line, mark.column
        # Language versions inherit the message's fields: one wrong value there
        # would otherwise be reported once per version.
        key_fields = (severity, line, column, message)
        if key_fields in self._seen:
            return
        self._seen.add(key_fields)
        self.problems.append(
            Problem(severity, self.display_path, line, column, message, hint, rule, post_id)
        )

    def error(
        self,
        rule: str,
        message: str,
        hint: str | None,
        at: YamlPath = (),
        *,
        key: bool = False,
        post_id: str | None = None,
        mark: Mark | None = None,
    ) -> None:
        """Shorthand for an error finding."""
        self.add("error", rule, message, hint, at, key=key, post_id=post_id, mark=mark)

    def warning(
        self,
        rule: str,
        message: str,
        hint: str | None,
        at: YamlPath = (),
        *,
        key: bool = False,
        post_id: str | None = None,
        mark: Mark | None = None,
    ) -> None:
        """Shorthand for a warning finding."""
        self.add("warning", rule, message, hint, at, key=key, post_id=post_id, mark=mark)

    def note(
        self,
        rule: str,
        message: str,
        hint: str | None,
        at: YamlPath = (),
        *,
        key: bool = False,
        post_id: str | None = None,
    ) -> None:
        """Shorthand for a note: a remark that never changes the verdict."""
        self.add("note", rule, message, hint, at, key=key, post_id=post_id)

    def from_content_error(
        self, error: ContentError, rule: str = "yaml", *, hint: str | None = None
    ) -> None:
        """Record a loader error, which already knows its line and column;
        ``hint`` replaces the error's own fix when given."""
        self.problems.append(
            Problem(
                "error",
                self.display_path,
                error.line,
                error.column,
                error.problem,
                hint or error.hint,
                rule,
            )
        )


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """``"did you mean 'text'?"`` for the closest of ``choices``, or None."""
    match = closest(word, choices)
    return f"did you mean {match!r}?" if match else None


def one_of(choices: Iterable[str]) -> str:
    """``a, b or c`` for messages."""
    items = [str(choice) for choice in choices]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]
