"""The rules for a post's text on each platform it goes to.

- the campaign hashtag, exactly as config.yaml writes it (once per written
  text, even when several platforms share it), reported where it is written;
- the length, link included, as the platform counts it and up to its limit:
  each platform's profile says how (:meth:`~scheduler.platforms.profile.PlatformProfile.text_rule`),
  with the words of the message; the problem's rule is ``<platform>-length``;
- no empty text; a variant for a platform the post does not go to is a warning.

Messages are for the person writing posts: they say the rule in plain words;
the sources (platforms.md sections) stay in the profiles' docstrings.
"""

from __future__ import annotations

from scheduler.config import CampaignConfig
from scheduler.content.messages import View
from scheduler.content.problems import FileProblems
from scheduler.content.text import check_hashtag, final_text, hashtag_pattern
from scheduler.platforms import registry
from scheduler.platforms.facts import TextRule
from scheduler.yamlsafe import Path as YamlPath


class TextRules:
    """Checks texts for one campaign; each platform's text rule lives for the
    whole run (a rule may cache what it counted)."""

    def __init__(self, config: CampaignConfig) -> None:
        self.hashtag = config.campaign.hashtag
        self.lengths: dict[str, TextRule] = {
            profile.key: profile.text_rule(config.platforms[profile.key])
            for profile in registry.profiles()
        }

    def texts(
        self,
        view: View,
        platforms: list[str],
        link: str | None,
        sink: FileProblems,
        post_id: str | None,
    ) -> tuple[dict[str, str], dict[str, YamlPath]]:
        """The final text per platform and the YAML path each was written at."""
        texts: dict[str, str] = {}
        paths: dict[str, YamlPath] = {}
        checked: set[YamlPath] = set()
        for platform in platforms:
            written = view.variants.get(platform, view.text)
            path = (
                (*view.base, "variants", platform) if platform in view.variants else view.text_path
            )
            paths[platform] = path
            texts[platform] = text = final_text(written, link)
            if not written.strip():
                sink.error(
                    "text", "the text is empty", "write the post's text", path, post_id=post_id
                )
                continue
            if path not in checked:
                checked.add(path)
                self.check_hashtag(written, path, sink, post_id)
            self.check_length(platform, text, path, link, sink, post_id)
        for platform in view.variants:
            if platform not in platforms:
                sink.warning(
                    "variants",
                    f"a {platform} variant, but the post does not go to {platform}",
                    f"remove the variant, or add {platform} to targets",
                    (*view.base, "variants", platform),
                    key=True,
                    post_id=post_id,
                )
        return texts, paths

    def check_hashtag(
        self, text: str, path: YamlPath, sink: FileProblems, post_id: str | None
    ) -> None:
        """The campaign hashtag is in ``text`` with the campaign's exact casing.

        A wrongly cased hashtag is reported where it is written, even inside a
        block scalar (``>-``); a missing one where the text ends, where it would
        be added. When the source cannot be searched (an escape sequence), the
        finding points at the text's first line.
        """
        hashtag = self.hashtag
        finding = check_hashtag(text, hashtag)
        if finding is None:
            return
        document = sink.document
        if finding.kind == "casing":
            mark = None
            if document is not None:
                written = hashtag_pattern(finding.found, any_case=False)
                mark = document.find_in_value(path, written) or document.value_start(path)
            sink.error(
                "hashtag",
                f"the hashtag is written {finding.found}; the campaign writes it {hashtag}",
                f"write {hashtag} exactly",
                path,
                post_id=post_id,
                mark=mark,
            )
            return
        style = document.scalar_style(path) if document is not None else None
        if style in ("|", ">"):
            hint = f"add {hashtag} at the end of the text"
        elif style == "":  # unquoted, a ` #` would start a comment
            hint = f'put the text in double quotes, with the hashtag: "... {hashtag}"'
        else:
            hint = f'add {hashtag} to the text (inside the quotes: "... {hashtag}")'
        sink.error(
            "hashtag",
            f"the campaign hashtag {hashtag} is missing",
            hint,
            path,
            post_id=post_id,
            mark=document.value_end(path) if document is not None else None,
        )

    def check_length(
        self,
        platform: str,
        text: str,
        path: YamlPath,
        link: str | None,
        sink: FileProblems,
        post_id: str | None,
    ) -> None:
        """``text`` (link included) fits ``platform``'s limit."""
        rule = self.lengths.get(platform)
        overflow = rule.overflow(text) if rule is not None else None
        if rule is None or overflow is None:
            return
        message, fix = rule.too_long(overflow, bool(link))
        sink.error(f"{platform}-length", message, fix, path, post_id=post_id)
