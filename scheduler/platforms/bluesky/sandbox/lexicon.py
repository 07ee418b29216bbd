"""Checking requests and records against the official lexicons, as a PDS does.

The lexicons ship beside this module (``lexicons/``, copied unchanged from the
atproto repository; see their README). :func:`problems` walks a value against
a definition and says what is wrong in the words a PDS uses for
``InvalidRequest`` / ``InvalidRecord`` (``Record/text must not be longer than
300 graphemes``). The rules checked are the lexicon language's
[atproto.com/specs/lexicon]: object ``required`` and ``nullable``; string
``maxLength``/``minLength`` in UTF-8 bytes, ``maxGraphemes``/``minGraphemes``,
``const``, ``enum`` and the ``datetime``, ``did``, ``uri`` and ``at-uri``
formats; integer bounds; array lengths; ``ref`` and ``union`` (a closed union
takes only its refs; an open one any ``$type``); ``blob`` ``accept`` and
``maxSize``. A reference to a lexicon that is not shipped is accepted as it is.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import datetime
from importlib import resources
from typing import Any

from scheduler.platforms.bluesky.text import graphemes

_DID = re.compile(r"^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@functools.cache
def lexicon(nsid: str) -> dict[str, Any] | None:
    """The lexicon document ``nsid``, or None when it is not shipped."""
    folder = resources.files("scheduler.platforms.bluesky.sandbox") / "lexicons"
    path = folder / f"{nsid}.json"
    if not path.is_file():
        return None
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def definition(reference: str, within: str) -> dict[str, Any] | None:
    """The definition ``reference`` names (``#image``, ``app.bsky.embed.images``,
    ``app.bsky.embed.images#image``) from lexicon ``within``; None when unknown."""
    nsid, _, name = reference.partition("#")
    document = lexicon(nsid or within)
    if document is None:
        return None
    found: dict[str, Any] | None = document["defs"].get(name or "main")
    return found


def problems(value: Any, schema: dict[str, Any], within: str, path: str) -> list[str]:
    """What is wrong with ``value`` against ``schema`` (of lexicon ``within``), each
    message starting with ``path``; empty when it is valid."""
    kind = schema.get("type")
    if kind in ("record",):
        return problems(value, schema["record"], within, path)
    if kind == "object":
        return _object(value, schema, within, path)
    if kind == "string":
        return _string(value, schema, path)
    if kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            return [f"{path} must be an integer"]
        if "minimum" in schema and value < schema["minimum"]:
            return [f"{path} can not be less than {schema['minimum']}"]
        if "maximum" in schema and value > schema["maximum"]:
            return [f"{path} can not be greater than {schema['maximum']}"]
        return []
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path} must be a boolean"]
    if kind == "array":
        if not isinstance(value, list):
            return [f"{path} must be an array"]
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return [f"{path} must not have more than {schema['maxLength']} elements"]
        if "minLength" in schema and len(value) < schema["minLength"]:
            return [f"{path} must not have fewer than {schema['minLength']} elements"]
        found: list[str] = []
        for index, item in enumerate(value):
            found += problems(item, schema["items"], within, f"{path}/{index}")
        return found
    if kind == "ref":
        target = definition(schema["ref"], within)
        owner = schema["ref"].partition("#")[0] or within
        return [] if target is None else problems(value, target, owner, path)
    if kind == "union":
        return _union(value, schema, within, path)
    if kind == "blob":
        return _blob(value, schema, path)
    if kind == "unknown":
        return [] if isinstance(value, dict) else [f"{path} must be an object"]
    return []


def _object(value: Any, schema: dict[str, Any], within: str, path: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path} must be an object"]
    found: list[str] = []
    nullable = set(schema.get("nullable", ()))
    for name in schema.get("required", ()):
        if name not in value or (value[name] is None and name not in nullable):
            found.append(f'{path} must have the property "{name}"')
    for name, field_schema in schema.get("properties", {}).items():
        if name in value and not (value[name] is None and name in nullable):
            found += problems(value[name], field_schema, within, f"{path}/{name}")
    return found


def _string(value: Any, schema: dict[str, Any], path: str) -> list[str]:
    if not isinstance(value, str):
        return [f"{path} must be a string"]
    size = len(value.encode("utf-8"))
    if "maxLength" in schema and size > schema["maxLength"]:
        return [f"{path} must not be longer than {schema['maxLength']} characters"]
    if "minLength" in schema and size < schema["minLength"]:
        return [f"{path} must not be shorter than {schema['minLength']} characters"]
    if "maxGraphemes" in schema or "minGraphemes" in schema:
        count = graphemes(value)
        if count > schema.get("maxGraphemes", count):
            return [f"{path} must not be longer than {schema['maxGraphemes']} graphemes"]
        if count < schema.get("minGraphemes", 0):
            return [f"{path} must not be shorter than {schema['minGraphemes']} graphemes"]
    if "const" in schema and value != schema["const"]:
        return [f"{path} must be {schema['const']}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{path} must be one of ({'|'.join(schema['enum'])})"]
    return _format(value, schema.get("format"), path)


def _format(value: str, form: str | None, path: str) -> list[str]:
    if form == "datetime":
        ok = _DATETIME.match(value) is not None
        if ok:
            try:
                datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                ok = False
        return (
            [] if ok else [f"{path} must be an valid atproto datetime (both RFC-3339 and ISO-8601)"]
        )
    if form == "did" and _DID.match(value) is None:
        return [f"{path} must be a valid did"]
    if form == "uri" and re.match(r"^\w+:(?:\/\/)?[^\s/][^\s]*$", value) is None:
        return [f"{path} must be a uri"]
    if form == "at-uri" and not value.startswith("at://"):
        return [f"{path} must be a valid at-uri"]
    return []


def _union(value: Any, schema: dict[str, Any], within: str, path: str) -> list[str]:
    if not isinstance(value, dict) or not isinstance(value.get("$type"), str):
        return [f'{path} must be an object which includes the "$type" property']
    wanted = value["$type"]
    for reference in schema.get("refs", ()):
        full = reference if not reference.startswith("#") else within + reference
        if (
            full == wanted
            or (full.endswith("#main") and full[:-5] == wanted)
            or ("#" not in full and wanted == full)
        ):
            target = definition(full, within)
            owner = full.partition("#")[0]
            return [] if target is None else problems(value, target, owner, path)
    if schema.get("closed"):
        return [f"{path} $type must be one of {', '.join(schema.get('refs', ()))}"]
    return []


def _blob(value: Any, schema: dict[str, Any], path: str) -> list[str]:
    if not isinstance(value, dict) or value.get("$type") != "blob":
        return [f"{path} should be a blob ref"]
    mime = str(value.get("mimeType", ""))
    accept = schema.get("accept")
    if accept and not any(
        pattern == "*/*"
        or mime == pattern
        or (pattern.endswith("/*") and mime.startswith(pattern[:-1]))
        for pattern in accept
    ):
        return [f"{path} has a mimeType {mime} that is not accepted ({', '.join(accept)})"]
    size = value.get("size")
    if "maxSize" in schema and isinstance(size, int) and size > schema["maxSize"]:
        return [f"{path} is too big: {size} bytes, at most {schema['maxSize']}"]
    return []
