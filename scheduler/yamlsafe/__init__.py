"""A strict YAML loader for files people write by hand.

YAML 1.1, which PyYAML implements, silently changes values a comms person did
not mean to change. This loader turns each of those traps into a
:class:`~scheduler.errors.ContentError` naming ``path:line:column`` and the fix:

- ``10:00`` read as the integer 600 (sexagesimal) -> "quote it";
- ``on``/``off``/``yes``/``no``/``y``/``n`` read as booleans -> "quote it";
- ``0755`` or ``0x1F`` read as numbers in another base -> "quote it";
- ``text: Join us #StopClusterBombsNow`` where `` #`` starts a comment and the
  hashtag vanishes -> "quote the text";
- duplicate keys, where the last one silently wins;
- tabs in indentation, empty files, bytes that are not UTF-8, control
  characters, several documents in one file, aliases (``*name``, an
  expansion bomb) and any explicit tag but ``!!str``, ``!!map`` and ``!!seq``.

Plain scalars are interpreted here, not by PyYAML's resolver: ``true``/``false``,
null, decimal integers and floats become Python values; everything else,
timestamps included, stays the string the person typed, so the time parser sees
exactly what was written. Composition uses libyaml's C parser when available.

The result is a :class:`Document`: plain Python data plus the composed node
tree, from which ``mark(path)`` finds the 1-based (line, column) of any value on
demand (computing positions only when a problem is reported keeps clean files
fast), and ``find_in_value`` the position of a word inside a value's text, even
across the lines of a block scalar. Untrusted input never raises anything but
ContentError.

By default the first problem raises. With ``collect=True`` the traps that leave
the file readable (everything above except syntax errors, empty or non-UTF-8
files, tabs and several documents) are gathered in ``Document.traps`` instead,
each with the YAML path it concerns and its kind, the value keeping the text as
written, so one run reports them all. The loader knows no field names: a caller
that does (``at`` is a publish time) may give a trap a more precise fix.

The loader's modules: :mod:`~scheduler.yamlsafe.composer` builds the node tree
without guessing types, :mod:`~scheduler.yamlsafe.builder` turns it into Python
data and finds the traps, :mod:`~scheduler.yamlsafe.document` says where each
value sits, :mod:`~scheduler.yamlsafe.syntax_errors` words what the parser
refuses, and :mod:`~scheduler.yamlsafe.loader` ties them together.
"""

from scheduler.yamlsafe.document import Document, Mark, Path, Trap
from scheduler.yamlsafe.loader import load_bytes, load_file, load_text

__all__ = ["Document", "Mark", "Path", "Trap", "load_bytes", "load_file", "load_text"]
