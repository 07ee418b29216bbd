"""The rules for a post's text on each platform it goes to.

- the campaign hashtag, exactly as config.yaml writes it (once per written
  text, even when several platforms share it);
- X: at most 280 weighted characters by X's own counting (platforms.md 1.5),
  link included;
- Facebook: at most 63,206 characters (platforms.md 2.2);
- no empty text; a variant for a platform the post does not go to is a warning.
"""

from __future__ import annotations

from scheduler.content.limits import FACEBOOK_LIMITS, X_LIMITS
from scheduler.content.messages import View
from scheduler.content.problems import FileProblems
from scheduler.content.text import X_MAX_WEIGHTED_LENGTH, XLengthCounter, check_hashtag, final_text
from scheduler.yamlsafe import Path as YamlPath


class TextRules:
    """Checks texts for one campaign; X lengths are cached across the whole run."""

    def __init__(self, hashtag: str) -> None:
        self.hashtag = hashtag
        self.x_length = XLengthCounter()

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
        """The campaign hashtag is in ``text`` with the campaign's exact casing."""
        hashtag = self.hashtag
        finding = check_hashtag(text, hashtag)
        if finding is not None and finding.kind == "casing":
            sink.error(
                "hashtag",
                f"the hashtag is written {finding.found}; the campaign writes it {hashtag}",
                f"write {hashtag} exactly",
                path,
                post_id=post_id,
            )
        elif finding is not None:
            sink.error(
                "hashtag",
                f"the campaign hashtag {hashtag} is missing",
                f'add {hashtag} to the text (inside the quotes: "... {hashtag}")',
                path,
                post_id=post_id,
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
        if platform == X_LIMITS.platform:
            overflow = self.x_length.overflow(text)
            if overflow is not None:
                with_link = " with the link (23)" if link else ""
                sink.error(
                    "x-length",
                    f"X counts {overflow} characters{with_link}; the limit is "
                    f"{X_MAX_WEIGHTED_LENGTH} (platforms.md 1.5)",
                    f"shorten it by {max(overflow - X_MAX_WEIGHTED_LENGTH, 1)} (each URL counts "
                    "23, an emoji or a CJK character 2), or add a shorter `variants: x:` text",
                    path,
                    post_id=post_id,
                )
        elif platform == FACEBOOK_LIMITS.platform:
            limit = FACEBOOK_LIMITS.max_text_chars or 0
            if len(text) > limit:
                sink.error(
                    "facebook-length",
                    f"the text has {len(text)} characters; Facebook takes {limit} "
                    f"({FACEBOOK_LIMITS.source})",
                    f"shorten it by {len(text) - limit}",
                    path,
                    post_id=post_id,
                )
