"""What a person should look at, as ``campaign status``, the attention page and
the preflight say it: one :class:`Concern` each, counted in words ("1
publication needs review", never "1 publication(s)")."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Concern:
    """One thing a person should look at.

    ``kind`` is ``paused``, ``clock skew``, ``no-daemon``, ``needs_review``, ``failed``,
    ``missed`` or ``overdue``; ``words`` says it in plain words, without a
    command (the dashboard shows it beside its buttons); ``command`` is how to
    settle it from the terminal (empty when there is none); ``scope`` is the
    pause's scope (``campaign``, ``account:<label>``) for a ``paused`` concern.
    """

    kind: str
    count: int
    words: str
    command: str = ""
    scope: str = ""

    @property
    def line(self) -> str:
        """The terminal's line: the words, then the command."""
        return f"{self.words}: `{self.command}`" if self.command else self.words


def publications(count: int, singular: str, plural: str) -> str:
    """``1 publication needs review`` / ``3 publications need review``."""
    return f"{count} publication {singular}" if count == 1 else f"{count} publications {plural}"
