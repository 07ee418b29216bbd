"""How config.yaml's platform parts are read: a platform key, and the
``platforms:`` sections, each by its platform's own settings model.

:mod:`scheduler.config` uses these in its models; they ask the registry, so
config.yaml accepts exactly the registered platforms and no list of them is
kept anywhere else.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from scheduler.platforms import registry
from scheduler.platforms.profile import PlatformSettings


def known_platform(value: str) -> str:
    """``value`` when a registered platform has that key; else the error a
    ``Literal`` of the keys gives (``Input should be 'a' or 'b'``).

    :raises PydanticCustomError: ``literal_error``, for pydantic to report.
    """
    if registry.find(value) is None:
        quoted = [repr(key) for key in registry.platform_keys()]
        expected = " or ".join([", ".join(quoted[:-1]), quoted[-1]] if len(quoted) > 1 else quoted)
        raise PydanticCustomError(
            "literal_error", "Input should be {expected}", {"expected": expected}
        )
    return value


# A platform key: one the registry knows.
PlatformKey = Annotated[str, AfterValidator(known_platform)]


def platform_sections(value: Any) -> Any:
    """``platforms:`` read section by section, each by its platform's settings
    model: a dict of every registered platform's settings by key (its defaults
    when not written); anything but a mapping is returned as is, for the
    field's own type check.

    Errors keep their place (``platforms.<key>.<setting>``) so they are reported
    at the line they are on; a section no platform has is an unknown key.

    :raises ValidationError: every problem of every section.
    """
    if value is None:
        value = {}
    if not isinstance(value, dict):
        return value  # the field's own type check says what is wrong
    sections: dict[str, PlatformSettings] = {}
    errors: list[InitErrorDetails] = []
    for key, section in value.items():
        profile = registry.find(key)
        if profile is None:
            errors.append(InitErrorDetails(type="extra_forbidden", loc=(key,), input=section))
            continue
        try:
            sections[key] = profile.settings_model.model_validate(section)
        except ValidationError as error:
            for item in error.errors():
                detail = InitErrorDetails(
                    type=item["type"], loc=(key, *item["loc"]), input=item["input"]
                )
                if "ctx" in item:
                    detail["ctx"] = item["ctx"]
                errors.append(detail)
    if errors:
        raise ValidationError.from_exception_data("platforms", errors)
    return {
        profile.key: sections[profile.key]
        if profile.key in sections
        else profile.settings_model.model_validate({})
        for profile in registry.profiles()
    }
