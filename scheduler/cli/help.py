"""``--help`` and wrong values in plain words.

Typer prints each parameter's Python type beside it (``<bool>``,
``<list[str]>``, ``<int range> [x>=0]``): a programmer's vocabulary. The
command and group classes here print instead what a person types: nothing
for a flag or an argument (its name says it: ``PATHS``, ``ID``), ``TEXT``,
``NUMBER`` or ``FILE`` for a value, and ``(at least 0)`` for a range.
:func:`plain_help` puts them on every command of an app. A value of the
wrong kind (``--limit x``) is refused in the same words as the campaign
file's errors, not in pydantic's ("Input should be a valid integer").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args, get_origin

import typer
from pydantic import ValidationError
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from scheduler.validation_words import plain_message

# Typer's parameters carry their Python annotation; what a person types for each.
WORDS: dict[Any, str] = {str: "TEXT", int: "NUMBER", float: "NUMBER", Path: "FILE"}


def _word(annotation: Any) -> str:
    """``TEXT``, ``NUMBER`` or ``FILE`` for an annotation (``list[str]`` is ``TEXT``)."""
    while get_origin(annotation) is not None and get_args(annotation):
        annotation = next(arg for arg in get_args(annotation) if arg is not type(None))
    return WORDS.get(annotation, "TEXT")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _range_words(minimum: float | None, maximum: float | None) -> str | None:
    if minimum is None and maximum is None:
        return None
    if maximum is None:
        return f"at least {_number(minimum or 0)}"
    if minimum is None:
        return f"at most {_number(maximum)}"
    return f"from {_number(minimum)} to {_number(maximum)}"


def _plain_refusal(error: Exception) -> None:
    """Reword Typer's refusal of a value when it carries pydantic's message."""
    cause = error.__cause__
    if isinstance(cause, ValidationError) and cause.errors() and hasattr(error, "message"):
        message, _hint = plain_message(cause.errors()[0], "value")
        error.message = message.removeprefix("`value` ")


def _process_value(self: Any, ctx: Any, value: Any) -> Any:
    """Typer's own checks (of the class this one stands in for), refusals reworded."""
    typer_class: Any = type(self).__mro__[1]
    try:
        return typer_class.process_value(self, ctx, value)
    except Exception as error:
        _plain_refusal(error)
        raise


def _range_help(self: Any) -> str | None:
    return _range_words(self.min, self.max)


class _PlainOption(TyperOption):
    """An option whose help shows the kind of value in words, or nothing for a flag."""

    process_value = _process_value
    _get_number_range_help_str = _range_help

    def display_type_rich(self, ctx: Any) -> str | None:
        if self.is_flag or self.count:
            return None
        if self.metavar is not None:
            return self.metavar
        return _word(self.type_descriptor.annotation)


class _PlainArgument(TyperArgument):
    """An argument shown by its name alone (``PATHS``, ``ID``)."""

    process_value = _process_value
    _get_number_range_help_str = _range_help

    def display_type_rich(self, ctx: Any) -> str | None:
        return None


def _plain(params: list[Any]) -> list[Any]:
    # Typer builds its own parameter objects; giving them our subclass (same
    # layout, two display methods changed) is the one hook it leaves for help text.
    for param in params:
        if type(param) is TyperOption:
            param.__class__ = _PlainOption
        elif type(param) is TyperArgument:
            param.__class__ = _PlainArgument
    return params


class PlainHelpCommand(TyperCommand):
    """A command whose ``--help`` shows no Python types."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _plain(super().get_params(ctx))


class PlainHelpGroup(TyperGroup):
    """A command group whose ``--help`` shows no Python types."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _plain(super().get_params(ctx))


def plain_help(application: typer.Typer) -> typer.Typer:
    """Give ``application``, its commands and its sub-groups the plain help classes."""
    application.info.cls = PlainHelpGroup
    for command in application.registered_commands:
        if command.cls in (None, TyperCommand):
            command.cls = PlainHelpCommand
    for group in application.registered_groups:
        instance: Any = group.typer_instance
        if instance is not None:
            plain_help(instance)
        group.cls = PlainHelpGroup
    return application
