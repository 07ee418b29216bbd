"""Alt text: each image's description in the post's language.

A post (or one of its language versions) writes ``alt:``, a mapping from a
media entry as the post names it (``logo``, a graphic's name such as
``12-reasons``, or a path inside the media folder) to the text a screen reader
reads instead of the image. The logo's alt text defaults to ``media.logo_alt``
in config.yaml (per language, ``{call}`` standing for the call's wording), so
posts need to write it only to say something else.

``media.alt_text`` says how strict the check is: ``required`` makes a missing
alt text an error, ``recommended`` (the default) a warning. Each platform's
longest alt text is its profile's ``MediaRules.alt_text_max_chars``.
"""

from __future__ import annotations

from collections.abc import Sequence

from scheduler.config import CampaignConfig
from scheduler.content.media import MediaResolver
from scheduler.content.problems import FileProblems, one_of
from scheduler.platforms import registry
from scheduler.yamlsafe import Path as YamlPath


def resolve_alt_texts(
    config: CampaignConfig,
    resolver: MediaResolver,
    *,
    language: str,
    call: str,
    paths: tuple[str, ...],
    alt: tuple[dict[str, str], YamlPath] | None,
    where: tuple[YamlPath, bool],
    platforms: Sequence[str],
    sink: FileProblems,
    post_id: str | None,
) -> tuple[str, ...]:
    """The alt text of each of ``paths`` (the post's resolved images, logo first),
    in order; an empty string where there is none.

    ``alt`` is the post's ``alt:`` mapping and its YAML path (None when not
    written); ``where`` is the YAML path (and whether it is a key) at which a
    missing alt text is reported. Problems go to ``sink``: an ``alt:`` entry
    naming no image of the post, an empty text, a text longer than a target
    platform takes, and a missing text (error or warning, per ``media.alt_text``).
    """
    if not paths:
        return ()
    texts: dict[str, str] = {paths[0]: logo_alt_text(config, language, call)}
    written, alt_path = alt if alt is not None else ({}, ())
    for name, text in written.items():
        key_path = (*alt_path, name)
        entry_paths, issues = resolver.resolve(language, call, (name,))
        target = entry_paths[-1]
        if any(issue.index is not None for issue in issues) or target not in paths:
            names = one_of(_entry_names(config, paths))
            sink.error(
                "alt-unknown",
                f"`alt:` describes {name!r}, which is not one of this post's images",
                f"write the alt text under the name the post uses in `media:`: {names}",
                key_path,
                key=True,
                post_id=post_id,
            )
            continue
        if not text.strip():
            sink.error(
                "alt-empty",
                f"the alt text of {name!r} is empty",
                "describe what the image shows, in a sentence or two, or remove the line",
                key_path,
                post_id=post_id,
            )
            continue
        texts[target] = text.strip()
        _check_length(config, platforms, name, texts[target], key_path, sink, post_id)
    missing = [path for path in paths if not texts.get(path)]
    if missing:
        _report_missing(config, language, missing, paths, where, sink, post_id)
    return tuple(texts.get(path, "") for path in paths)


def logo_alt_text(config: CampaignConfig, language: str, call: str) -> str:
    """The logo's default alt text for ``language`` and ``call`` (``media.logo_alt``
    in config.yaml), with ``{call}`` replaced by the call's wording; empty when
    config.yaml gives none."""
    texts = config.media.logo_alt.get(language)
    if isinstance(texts, dict):
        return texts.get(call, "")
    wording = config.calls.get(call, {}).get(language, call)
    return (texts or "").replace("{call}", wording)


def _check_length(
    config: CampaignConfig,
    platforms: Sequence[str],
    name: str,
    text: str,
    at: YamlPath,
    sink: FileProblems,
    post_id: str | None,
) -> None:
    for platform in platforms:
        profile = registry.profile(platform)
        most = profile.media_rules(config.platforms[platform]).alt_text_max_chars
        if most is not None and len(text) > most:
            sink.error(
                "alt-length",
                f"the alt text of {name!r} has {len(text)} characters; "
                f"{profile.display_name} takes at most {most}",
                f"shorten it by {len(text) - most} characters; put long explanations in "
                "the post's text",
                at,
                post_id=post_id,
            )


def _report_missing(
    config: CampaignConfig,
    language: str,
    missing: list[str],
    paths: tuple[str, ...],
    where: tuple[YamlPath, bool],
    sink: FileProblems,
    post_id: str | None,
) -> None:
    language_name = config.languages.get(language, language)
    for path in missing:
        name = "logo" if path == paths[0] else _graphic_name(config, path)
        message = f"the image {config.media.directory}/{path} has no alt text in {language_name}"
        fix = f'add `alt:` with `{name}: "what the image shows"` to the {language} text'
        if path == paths[0]:
            fix += f", or give the logo's alt text for {language} in media.logo_alt in config.yaml"
        at, key = where
        if config.media.alt_text == "required":
            sink.error("alt-missing", message, fix, at, key=key, post_id=post_id)
        else:
            sink.warning("alt-missing", message, fix, at, key=key, post_id=post_id)


def _graphic_name(config: CampaignConfig, path: str) -> str:
    for name, graphic in config.media.graphics.items():
        if graphic.replace("\\", "/") == path:
            return name
    return path


def _entry_names(config: CampaignConfig, paths: tuple[str, ...]) -> list[str]:
    return ["logo", *(_graphic_name(config, path) for path in paths[1:])]
