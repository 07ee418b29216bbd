"""X's own OpenAPI description of the API v2, as the X stand-in's contract.

``data/x-api-openapi.json`` is the X API v2 specification 2.167 (July 2026,
from the xdevplatform/xdk repository, MIT licence) [platforms.md X-OAS]. The
stand-in validates the JSON bodies it receives against the request schemas,
and the fidelity tests validate its success answers against the response
schemas, so neither side can drift from the real API.

The file fails strict OpenAPI validation (one enum repeats a value), so it is
loaded as plain JSON and never validated as a document; only its schemas are
used, through openapi-schema-validator's OpenAPI 3.0 dialect.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, cast

from openapi_schema_validator import OAS30Validator, oas30_format_checker

SPEC_PATH = Path(__file__).with_name("data") / "x-api-openapi.json"


@functools.cache
def x_spec() -> dict[str, Any]:
    """The parsed specification (loaded once, about 7 ms)."""
    return cast(dict[str, Any], json.loads(SPEC_PATH.read_text(encoding="utf-8")))


@functools.cache
def schema_validator(name: str) -> Any:
    """A jsonschema validator for ``#/components/schemas/<name>`` (OpenAPI 3.0 dialect);
    KeyError when there is no such schema."""
    components = x_spec()["components"]
    if name not in components["schemas"]:
        raise KeyError(f"the X OpenAPI file has no schema {name!r}")
    schema = {"$ref": f"#/components/schemas/{name}", "components": components}
    return OAS30Validator(schema, format_checker=oas30_format_checker)


def schema_errors(name: str, instance: object) -> list[str]:
    """Why ``instance`` does not match schema ``name`` (empty when it does), with JSON paths."""
    messages = []
    for error in schema_validator(name).iter_errors(instance):
        where = "".join(f"[{part!r}]" for part in error.absolute_path)
        messages.append(f"{where or '(body)'}: {error.message}")
    return messages


def response_schema_name(path: str, method: str, status: int) -> str:
    """The schema name of the JSON success answer for ``method path`` (a template like
    ``/2/users/{id}/tweets``) with ``status``; KeyError when the spec declares none."""
    operation = x_spec()["paths"][path][method.lower()]
    content = operation["responses"][str(status)]["content"]["application/json"]
    reference: str = content["schema"]["$ref"]
    return reference.rsplit("/", 1)[-1]


def request_schema_name(path: str, method: str) -> str:
    """The schema name of the JSON request body of ``method path``; KeyError when none."""
    operation = x_spec()["paths"][path][method.lower()]
    reference: str = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return reference.rsplit("/", 1)[-1]
