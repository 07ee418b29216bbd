"""A message's id and its language versions, each with the message's fields filled in.

A message is either one post in one language (``language:`` and ``text:``)
or versions side by side under language keys. Each version inherits the
message's ``call``, ``at``, ``link``, ``media``, ``alt``, ``video``, ``targets`` and
``status``
unless it sets its own. The versions of one message must agree on the call
(an error otherwise); a missing language is a warning, since some messages
are meant for one audience only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from scheduler.config import CampaignConfig
from scheduler.content.problems import FileProblems, did_you_mean, one_of
from scheduler.content.spec import MessageEntry, VersionSpec
from scheduler.yamlsafe import Path as YamlPath

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
INHERITED = (
    "call",
    "at",
    "link",
    "media",
    "alt",
    "video",
    "targets",
    "status",
    "content_warning",
    "link_card",
)


@dataclass
class View:
    """One language version with the message's fields filled in.

    ``base`` is the YAML path of the version (of the message, for a
    one-language post); ``fields`` maps each of ``INHERITED`` that is set to
    its value and YAML path; ``known_language`` is False when the language is
    not the campaign's (reported; the text is still checked).
    """

    language: str
    base: YamlPath
    text: str
    text_path: YamlPath
    variants: dict[str, str]
    fields: dict[str, tuple[Any, YamlPath]]
    is_version: bool = False
    known_language: bool = True
    faulty: frozenset[str] = frozenset()

    def reported(self, name: str) -> bool:
        """Whether field ``name`` was invalid and already reported (so "missing" would repeat it)."""
        return name in self.faulty


def message_id(entry: MessageEntry, sink: FileProblems) -> str | None:
    """The message's id (given, or the file name of a one-post file); None when unusable."""
    spec, path = entry.spec, entry.path
    if spec.id is not None:
        if ID_PATTERN.match(spec.id):
            return spec.id
        suggestion = re.sub(r"[^a-z0-9]+", "-", spec.id.lower()).strip("-") or "my-post"
        sink.error(
            "id",
            f"the id {spec.id!r} may hold only lowercase letters, digits and hyphens",
            f"write e.g. `id: {suggestion}` (ids never change once published)",
            (*path, "id"),
        )
        return None
    if entry.default_id is None:
        sink.error(
            "id",
            "a post in a file with several posts needs an `id`",
            "add `id: some-words` as the post's first line; it must never change, "
            "since the history hangs on it",
            path,
        )
        return None
    if not ID_PATTERN.match(entry.default_id):
        sink.error(
            "id",
            f"the file name {entry.default_id!r} cannot be this post's id (lowercase "
            "letters, digits and hyphens only)",
            "add `id: some-words` to the post, or rename the file",
            path,
        )
        return None
    return entry.default_id


def views(entry: MessageEntry, config: CampaignConfig, sink: FileProblems) -> list[View]:
    """The message's language versions, in the order written."""
    spec, path = entry.spec, entry.path
    shared: dict[str, tuple[Any, YamlPath]] = {
        name: (getattr(spec, name), (*path, name))
        for name in INHERITED
        if getattr(spec, name) is not None
    }
    if entry.versions:
        # alt text and a content warning are written in one language
        for name in ("language", "text", "variants", "alt", "content_warning"):
            if getattr(spec, name) is not None:
                sink.error(
                    "schema",
                    f"`{name}` cannot sit beside language versions ({one_of(entry.versions)})",
                    "move it into each version, or write one post with `language:` and "
                    "`text:` and no language keys",
                    (*path, name),
                    key=True,
                )
        return [
            _version_view(language, version, version_path, shared, entry.faulty)
            for language, (version, version_path) in entry.versions.items()
        ]
    languages = config.languages
    if spec.text is None:
        if "text" in entry.faulty:
            return []
        keys = one_of(f"{language}:" for language in languages)
        sink.error(
            "schema",
            "the post has no text",
            f"write `language:` and `text:`, or one version per language ({keys})",
            path,
        )
        return []
    if spec.language is None:
        if "language" in entry.faulty:
            return []
        sink.error(
            "language",
            "the post does not say its language",
            f"add `language:` with one of {one_of(languages)}",
            path,
        )
        return []
    known = spec.language in languages
    if not known:
        sink.error(
            "language",
            f"{spec.language!r} is not one of the campaign's languages ({one_of(languages)})",
            did_you_mean(spec.language, languages)
            or "use a language from config.yaml, or add it there",
            (*path, "language"),
        )
    variants = {str(platform): text for platform, text in (spec.variants or {}).items()}
    faulty = frozenset(entry.faulty)
    return [
        View(
            spec.language, path, spec.text, (*path, "text"), variants, shared, False, known, faulty
        )
    ]


def _version_view(
    language: str,
    version: VersionSpec,
    path: YamlPath,
    shared: dict[str, tuple[Any, YamlPath]],
    message_faulty: set[str],
) -> View:
    fields = dict(shared)
    for name in INHERITED:
        value = getattr(version, name)
        if value is not None:
            fields[name] = (value, (*path, name))
    variants = {str(platform): text for platform, text in version.variants.items()}
    prefix = f"{language}."
    faulty = frozenset(
        name.removeprefix(prefix)
        for name in message_faulty
        if "." not in name or name.startswith(prefix)
    )
    return View(language, path, version.text, (*path, "text"), variants, fields, True, True, faulty)


def check_versions(
    entry: MessageEntry, identifier: str | None, config: CampaignConfig, sink: FileProblems
) -> None:
    """Warn about missing languages; report versions that disagree on the call."""
    missing = [
        language
        for language in config.languages
        if language not in entry.versions and language not in entry.faulty
    ]
    name = identifier or "this message"
    if missing:
        sink.warning(
            "languages",
            f"the message {name} has no {one_of(missing)} version",
            f"add {one_of(f'`{language}:`' for language in missing)}, or ignore this warning "
            "if the message is for one audience only",
            entry.path,
        )
    first: tuple[str, str] | None = None
    if entry.spec.call is not None:
        first = ("the message", entry.spec.call)
    for language, (version, path) in entry.versions.items():
        if version.call is None:
            continue
        if first is None:
            first = (f"the {language} version", version.call)
        elif version.call != first[1]:
            sink.error(
                "call-mismatch",
                f"the {language} version of {name} is for {version.call}, but {first[0]} "
                f"is for {first[1]}",
                "the versions of one message share one call: write `call:` once, at the "
                "message level",
                (*path, "call"),
            )
