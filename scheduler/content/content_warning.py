"""A post's content warning: the words a platform shows before the text, which
the reader opens to see the post (Mastodon's ``spoiler_text``).

A post (or one of its language versions) writes ``content_warning:`` in its
language. Only platforms whose profile says
:attr:`~scheduler.platforms.profile.PlatformProfile.takes_content_warning`
send it; a post that also goes elsewhere gets a note that there it appears
without the warning. A platform that takes one counts it with the text
against one limit (Mastodon joins ``spoiler_text`` and the text before
counting: mastodon ``app/validators/status_length_validator.rb``;
platforms-2026.md 6.3), so the check counts them together.
"""

from __future__ import annotations

from scheduler.content.messages import View
from scheduler.content.problems import FileProblems
from scheduler.content.text_rules import TextRules
from scheduler.platforms import registry
from scheduler.yamlsafe import Path as YamlPath


def resolve_content_warning(
    view: View,
    texts: dict[str, str],
    platforms: list[str],
    rules: TextRules,
    sink: FileProblems,
    post_id: str | None,
) -> str | None:
    """The post's content warning (stripped; None when it has none), checked.

    ``texts`` are the final texts per platform (link included) and
    ``platforms`` the platforms the post goes to. Problems go to ``sink``: an
    empty warning or one across lines (error), a warning and text together over
    a platform's limit (error), platforms that show no warning (note).
    """
    value, path = view.fields.get("content_warning", (None, view.base))
    if value is None:
        return None
    warning = " ".join(str(value).split())
    if not warning:
        sink.error(
            "content-warning",
            "the content warning is empty",
            "write a few words saying what the post shows (e.g. `content_warning: "
            "Images of injured children`), or remove the line",
            path,
            post_id=post_id,
        )
        return None
    if "\n" in str(value).strip():
        sink.error(
            "content-warning",
            "the content warning runs over several lines; it is shown as one line",
            "write it on one line, in a few words",
            path,
            post_id=post_id,
        )
    takers = [key for key in platforms if registry.profile(key).takes_content_warning]
    for platform in takers:
        _check_length(platform, warning, texts.get(platform), rules, path, sink, post_id)
    others = [key for key in platforms if key not in takers]
    if others:
        names = _names(others)
        able = [profile.key for profile in registry.profiles() if profile.takes_content_warning]
        shown = _names(takers or able)
        sink.note(
            "content-warning",
            f"the content warning goes only to {shown}; on {names} the post appears without it",
            f"make sure the text itself suits readers on {names}, or target only {shown}",
            path,
            post_id=post_id,
        )
    return warning


def _check_length(
    platform: str,
    warning: str,
    text: str | None,
    rules: TextRules,
    path: YamlPath,
    sink: FileProblems,
    post_id: str | None,
) -> None:
    rule = rules.lengths.get(platform)
    if rule is None or rule.limit is None or text is None:
        return
    if rule.overflow(text) is not None:
        return  # the text alone is too long: reported at the text
    total = rule.length(warning) + rule.length(text)
    if total <= rule.limit:
        return
    excess = total - rule.limit
    name = registry.profile(platform).display_name
    sink.error(
        f"{platform}-length",
        f"{name} counts the content warning with the text: {total - rule.length(text)} + "
        f"{rule.length(text)} = {total} {rule.unit}; it takes at most {rule.limit}",
        f"shorten the warning or the text by {excess} {rule.unit}, or add a shorter `variants: {platform}:` text",
        path,
        post_id=post_id,
    )


def _names(platforms: list[str]) -> str:
    names = [registry.profile(key).display_name for key in platforms] or ["no platform"]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
