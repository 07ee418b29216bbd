"""The post format as written: file shapes, fields, and schema errors with a fix.

A file holds one post (its fields at the top; the id defaults to the file
name) or several under ``posts:`` (each with an ``id``). A post is either one
language (``language:`` and ``text:``) or a message with a version per
language side by side (``en:``, ``fr:``, ``es:`` keys, each the text or a
mapping of the fields a version may change). docs/posts.md documents every field.

Validation is pydantic with ``extra="forbid"``; its errors become problems at
the exact key or value, with "did you mean" for misspelt keys and "quote it"
when YAML read text as a number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BeforeValidator, Field, ValidationError

from scheduler.config import CampaignConfig
from scheduler.content.field_specs import LinkCardSpec, Spec, Video, VideoSpec
from scheduler.content.problems import FileProblems, closest, did_you_mean, one_of
from scheduler.platforms import registry
from scheduler.platforms.validation import PlatformKey
from scheduler.validation_words import plain_message, yaml_kind
from scheduler.yamlsafe import Document
from scheduler.yamlsafe import Path as YamlPath

Status = Literal["draft", "approved", "cancelled"]
STATUSES: tuple[str, ...] = ("draft", "approved", "cancelled")


def _listify(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Names = Annotated[list[str], BeforeValidator(_listify)]


SpecT = TypeVar("SpecT", bound=Spec)
# Fields that hold a mapping of their own: an unknown key there is compared with theirs.
_NESTED: dict[str, type[Spec]] = {"video": VideoSpec, "link_card": LinkCardSpec}


class _Shared(Spec):
    """The fields a message and each of its language versions may set.

    ``at`` is kept as loaded (string or not) so the time parser can say exactly
    what is wrong. ``alt``: media entry (``logo``, a graphic, a path) -> alt text.
    ``content_warning``: words shown before the text where a platform has them.
    ``link_card``: the card shown for the link (title, description, thumbnail).
    """

    call: str | None = None
    at: Any = None
    link: str | None = None
    media: Names | None = None
    alt: dict[str, str] | None = None
    video: Video | None = None
    targets: Names | None = None
    status: Status | None = None
    content_warning: str | None = None
    link_card: LinkCardSpec | None = None


class VersionSpec(_Shared):
    """One language version of a message: its text and anything it changes."""

    text: str
    variants: dict[PlatformKey, str] = Field(default_factory=dict)


class MessageSpec(_Shared):
    """A post, or a message whose language versions sit under language keys."""

    id: str | None = None
    language: str | None = None
    text: str | None = None
    variants: dict[PlatformKey, str] | None = None


MESSAGE_FIELDS = tuple(MessageSpec.model_fields)
VERSION_FIELDS = tuple(VersionSpec.model_fields)


@dataclass
class MessageEntry:
    """One validated message and where it sits.

    ``versions`` maps language to its spec and YAML path (empty for a
    one-language post); ``default_id`` is the file name for a one-post file.
    ``faulty`` names fields (``"fr.text"`` for a version's) already reported as
    invalid and left out, so later rules do not report them again as missing.
    """

    spec: MessageSpec
    path: YamlPath
    versions: dict[str, tuple[VersionSpec, YamlPath]] = field(default_factory=dict)
    default_id: str | None = None
    faulty: set[str] = field(default_factory=set)


def read_entries(
    document: Document, config: CampaignConfig, sink: FileProblems, stem: str
) -> list[MessageEntry]:
    """The messages of a loaded file; schema problems go to ``sink``."""
    data = document.data
    if isinstance(data, dict) and "posts" in data:
        for key in data:
            if key != "posts":
                sink.error(
                    "unknown-field",
                    f"unknown key {key!r} beside `posts:`",
                    "a file with `posts:` holds only that list; move the key into a post",
                    (key,),
                    key=True,
                )
        items = data["posts"]
        if not isinstance(items, list):
            sink.error(
                "schema",
                "`posts:` must be a list of posts, each starting with `- id:`",
                "write each post as a list item: `- id: my-post`",
                ("posts",),
            )
            return []
        if not items:
            sink.warning("empty", "`posts:` is empty", "add posts or delete the file", ("posts",))
        entries = [_entry(item, ("posts", index), config, sink) for index, item in enumerate(items)]
        return [entry for entry in entries if entry is not None]
    if isinstance(data, list):
        sink.error(
            "schema",
            "the file is a bare list",
            "put the list under a `posts:` key (`posts:` on the first line, items indented)",
        )
        return []
    entry = _entry(data, (), config, sink)
    if entry is None:
        return []
    entry.default_id = stem
    return [entry]


def _entry(
    item: Any, path: YamlPath, config: CampaignConfig, sink: FileProblems
) -> MessageEntry | None:
    if not isinstance(item, dict):
        sink.error(
            "schema",
            "a post must be a set of fields (call:, at:, text: ...)",
            "see docs/posts.md for the format",
            path,
        )
        return None
    languages = config.languages
    fields = {key: value for key, value in item.items() if key not in languages}
    faulty: set[str] = set()
    known = (*MESSAGE_FIELDS, *languages)
    spec = _validate(MessageSpec, fields, path, sink, known, languages, faulty, "")
    if spec is None:
        return None
    entry = MessageEntry(spec=spec, path=path, faulty=faulty)
    for language in languages:
        if language not in item:
            continue
        version_path = (*path, language)
        raw = item[language]
        if isinstance(raw, str):
            raw = {"text": raw}
        elif not isinstance(raw, dict):
            sink.error(
                "schema",
                f"the {language} version must be its text or a set of fields (text:, at: ...)",
                f'write `{language}: "..."` with the text in double quotes',
                version_path,
            )
            continue
        version = _validate(
            VersionSpec, raw, version_path, sink, VERSION_FIELDS, {}, faulty, f"{language}."
        )
        if version is None:
            faulty.add(language)
        else:
            entry.versions[language] = (version, version_path)
    return entry


def _validate(
    model: type[SpecT],
    data: dict[str, Any],
    path: YamlPath,
    sink: FileProblems,
    known: tuple[str, ...],
    languages: Mapping[str, str],
    faulty: set[str],
    prefix: str,
) -> SpecT | None:
    """``data`` as ``model``; on errors, report them and retry without the faulty fields
    (added to ``faulty`` with ``prefix``), so the rest of the post is still checked.
    None when even that fails."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        meant = report_validation(error, path, sink, known, languages)
        dropped = {str(item["loc"][0]) for item in error.errors() if item["loc"]}
    faulty.update(f"{prefix}{name}" for name in dropped | (meant - data.keys()))
    try:
        return model.model_validate({k: v for k, v in data.items() if k not in dropped})
    except ValidationError:
        return None


def report_validation(
    error: ValidationError,
    base: YamlPath,
    sink: FileProblems,
    known: tuple[str, ...],
    languages: Mapping[str, str],
) -> set[str]:
    """Turn pydantic's errors into problems at the key or value they concern.

    Returns the fields that misspelt keys were probably meant to be.
    """
    plain = sink.document.plain_scalars if sink.document is not None else {}
    meant: set[str] = set()
    for item in error.errors():
        loc = tuple(part for part in item["loc"] if part != "[key]")
        path = (*base, *loc)
        name = str(loc[-1]) if loc else "post"
        kind = item["type"]
        if kind == "extra_forbidden":
            message = f"unknown field {name!r}"
            nested = _NESTED.get(str(loc[0])) if len(loc) > 1 else None
            known = tuple(nested.model_fields) if nested is not None else known
            hint = did_you_mean(name, known)
            match = closest(name, known)
            if match is not None and len(loc) == 1:
                meant.add(match)
            if hint is None and languages and _looks_like_language(name):
                message = f"{name!r} is not one of the campaign's languages"
                hint = f"use {one_of(languages)}, or add {name} to `languages:` in config.yaml"
            hint = hint or f"remove it; the fields are {one_of(known)}"
            sink.error("unknown-field", message, hint, path, key=True)
        elif kind == "missing":
            sink.error("schema", f"`{name}` is missing", f"add `{name}:`", path[:-1])
        elif kind == "literal_error" and loc and loc[0] == "status":
            sink.error(
                "status",
                f"the status {item['input']!r} is not one of {one_of(STATUSES)}",
                did_you_mean(str(item["input"]), STATUSES) or f"use {one_of(STATUSES)}",
                path,
            )
        elif kind == "literal_error" and loc and loc[0] == "variants":
            sink.error(
                "unknown-field",
                f"variants are per platform; {name!r} is not one",
                did_you_mean(name, registry.platform_keys())
                or f"use {one_of(registry.platform_keys())}",
                path,
                key=True,
            )
        elif name == "call" and isinstance(item["input"], list | dict):
            sink.error(
                "call",
                "a post carries exactly one call",
                "keep one call here; write another post for another call",
                path,
            )
        elif path in plain and kind in ("string_type", "list_type", "dict_type"):
            source = plain[path]
            sink.error(
                "schema",
                f"`{name}` must be text, but YAML read {source} as {yaml_kind(item['input'])}",
                f'quote it: "{source}"',
                path,
            )
        else:
            message, hint = plain_message(item, name)
            sink.error("schema", message, hint or "see docs/posts.md for the format", path)
    return meant


def _looks_like_language(name: str) -> bool:
    return len(name) in (2, 3) and name.isalpha() and name.islower()
