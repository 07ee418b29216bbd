"""The rules for a post's text on each platform it goes to.

- the campaign hashtag, exactly as config.yaml writes it (once per written
  text, even when several platforms share it), reported where it is written;
- X: at most 280 weighted characters by X's own counting (platforms.md 1.5),
  link included;
- Facebook: at most 63,206 characters (platforms.md 2.2);
- no empty text; a variant for a platform the post does not go to is a warning.

Messages are for the person writing posts: they say the rule in plain words;
the sources (platforms.md sections) stay in these docstrings and comments.
"""

from __future__ import annotations

from scheduler.content.limits import FACEBOOK_LIMITS, X_LIMITS
from scheduler.content.messages import View
from scheduler.content.problems import FileProblems
from scheduler.content.text import (
    X_MAX_WEIGHTED_LENGTH,
    XLengthCounter,
    check_hashtag,
    final_text,
    hashtag_pattern,
)
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
        if platform == X_LIMITS.platform:
            overflow = self.x_length.overflow(text)
            if overflow is not None:
                # The facts behind the words: platforms.md 1.5 (weighted length).
                with_link = ", the link included" if link else ""
                excess = max(overflow - X_MAX_WEIGHTED_LENGTH, 1)
                sink.error(
                    "x-length",
                    f"X counts {overflow} characters{with_link}; a post on X may have at most "
                    f"{X_MAX_WEIGHTED_LENGTH}",
                    f"shorten it by {excess} character{'' if excess == 1 else 's'} (X "
                    "counts every link as 23 characters, and an emoji or a Chinese, Japanese or "
                    "Korean character as 2), or add a shorter `variants: x:` text",
                    path,
                    post_id=post_id,
                )
        elif platform == FACEBOOK_LIMITS.platform:
            limit = FACEBOOK_LIMITS.max_text_chars or 0
            if len(text) > limit:
                sink.error(
                    "facebook-length",
                    f"the text has {len(text)} characters; Facebook takes at most {limit}",
                    f"shorten it by {len(text) - limit} character"
                    + ("" if len(text) - limit == 1 else "s"),
                    path,
                    post_id=post_id,
                )
