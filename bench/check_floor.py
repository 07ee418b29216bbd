"""The floor of ``campaign check``: the C YAML loader, pydantic validation and
twitter-text's ``parse_tweet`` alone, on the same files.

Run as its own process (``python -m bench.check_floor FOLDER``) so its wall
time, like ``campaign check``'s, includes starting Python and importing its
libraries; it imports nothing of the product. Prints the number of X texts it
counted and how many X refuses.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict
from twitter_text import parse_tweet


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Version(_Strict):
    """A language version written as a mapping."""

    text: str
    at: str | None = None
    variants: dict[str, str] | None = None


class Message(_Strict):
    """One entry of a ``posts:`` list with its three language versions."""

    id: str
    call: str
    at: str
    status: str
    link: str | None = None
    media: list[str] | None = None
    en: str | Version
    fr: str | Version
    es: str | Version


class PostFile(_Strict):
    """A post file: a list of messages."""

    posts: list[Message]


def x_texts(message: Message) -> list[str]:
    """The text each language version sends to X, link on a line of its own."""
    texts = []
    for version in (message.en, message.fr, message.es):
        text = (version if isinstance(version, str) else version.text).strip()
        if message.link and message.link not in text:
            text = f"{text}\n\n{message.link}"
        texts.append(text)
    return texts


def main() -> None:
    folder = Path(sys.argv[1])
    counted = refused = 0
    for path in sorted(folder.glob("*.yaml")):
        with path.open("rb") as stream:
            document = yaml.load(stream, Loader=yaml.CSafeLoader)
        for message in PostFile.model_validate(document).posts:
            for text in x_texts(message):
                counted += 1
                refused += not parse_tweet(text).valid
    print(f"{counted} {refused}")


if __name__ == "__main__":
    main()
