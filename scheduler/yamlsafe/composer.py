"""The YAML composer: the node tree of a document, with no type guessed.

PyYAML's resolver is where YAML 1.1 guesses types (``on`` is true, ``10:00`` is
600); here every unquoted scalar gets the :data:`PLAIN_TAG` marker instead, and
:mod:`scheduler.yamlsafe.builder` interprets it. Composition uses libyaml's C
parser when available.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import ScalarNode, SequenceNode

STR_TAG = "tag:yaml.org,2002:str"
SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"
# Given to unquoted scalars without an explicit tag, so the builder knows which
# values to interpret; the `.invalid` domain cannot collide with a real tag.
PLAIN_TAG = "tag:campaign-scheduler.invalid,2020:plain"
ALLOWED_TAGS = {STR_TAG, SEQ_TAG, MAP_TAG, PLAIN_TAG}


class _TagsLeftAlone:
    """Resolver stand-in: plain scalars get a marker tag, nothing is guessed.

    PyYAML's resolver is where YAML 1.1 guesses types (and most of the loading
    time goes); :mod:`scheduler.yamlsafe.builder` interprets plain scalars itself.
    """

    def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            return PLAIN_TAG if implicit[0] else STR_TAG
        return SEQ_TAG if kind is SequenceNode else MAP_TAG

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


try:  # libyaml is several times faster; fall back to pure Python if missing.
    from yaml._yaml import CParser

    class NodeComposer(CParser, _TagsLeftAlone):
        """Composes one document's node tree with libyaml, tagging without guessing."""

except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class NodeComposer(Reader, Scanner, Parser, Composer, _TagsLeftAlone):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)
