"""``campaign check`` as a service: read post files, resolve every post, apply every rule.

:func:`check_paths` is what ``campaign check`` prints and what ``campaign
sync`` stores (it refuses to write when the report has errors). Nothing here
raises for a problem in a post file: each one becomes a
:class:`~scheduler.content.resolved.Problem` with ``path:line:column``.

The work per post is kept to what can change the verdict: the configuration
is read once by the caller, each file once, each distinct image once, each
distinct X text counted once (and not at all when it obviously fits).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import datetime
from pathlib import Path

import yaml

from scheduler.config import CampaignConfig
from scheduler.content.budget import check_budget
from scheduler.content.problems import FileProblems
from scheduler.content.resolve import Candidate, PostResolver
from scheduler.content.resolved import CheckReport
from scheduler.content.rules import (
    check_ids,
    check_past,
    check_repeated_texts,
    check_reused,
    check_timeline,
)
from scheduler.content.spec import STATUSES, read_entries
from scheduler.content.times import complete_time_hint
from scheduler.errors import ContentError
from scheduler.files import POST_FILE_MAX_BYTES, read_limited
from scheduler.yamlsafe import Trap, load_bytes

POST_SUFFIXES = (".yaml", ".yml")
# Where `campaign new` keeps earlier campaigns (archive/<id>/posts/).
ARCHIVE = "archive"
# Only texts this long count as a post's words (not a call's wording or a path).
_ARCHIVED_TEXT_CHARS = 40


def check_paths(
    config: CampaignConfig,
    paths: Sequence[Path] | None = None,
    *,
    now: datetime | None = None,
    settled: Callable[[], Collection[str]] | None = None,
) -> CheckReport:
    """Check the post files at ``paths`` against ``config``'s rules.

    :param paths: files and folders; a folder means every ``*.yaml``/``*.yml``
        below it (hidden ones skipped). Default: ``posts/`` beside config.yaml
        (``config.base_dir / "posts"``).
    :param now: aware: the time of the clock that will publish. When given,
        approved posts whose time has passed are errors (``past``), or warnings
        within the late grace (``late``); once the campaign window has ended,
        one note instead (see :func:`~scheduler.content.rules.check_past`).
        None skips that rule, so a check gives the same verdict whenever it runs.
    :param settled: gives the ids of posts the queue has already dealt with
        (nothing of them waits to go out): past, but history rather than a
        mistake. Called only when some approved post is past.
    :returns: every post that could be resolved (in file order, then by
        position in the file) and every problem, sorted by file, line and column.
    """
    if now is not None and now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    targets = list(paths) if paths else [config.base_dir / "posts"]
    report = CheckReport()
    resolver = PostResolver(config)
    sinks: list[FileProblems] = []
    candidates: list[Candidate] = []
    for file_path, missing in _files(targets):
        sink = FileProblems(_display(file_path))
        sinks.append(sink)
        if missing:
            sink.error(
                "file",
                "no such file or folder",
                "check the path; post files live in posts/ beside config.yaml",
            )
            continue
        report.files_checked += 1
        candidates.extend(_check_file(file_path, config, resolver, sink))
    check_ids(candidates)
    check_repeated_texts(candidates, config)
    check_timeline(candidates, config)
    check_reused(candidates, archived_texts(config.base_dir / ARCHIVE))
    report.bill = check_budget(candidates, config)
    if now is not None:
        note = check_past(candidates, config, now, settled)
        if note is not None:
            report.notes.append(note)
    report.posts = [candidate.post for candidate in candidates]
    for sink in sinks:
        report.problems.extend(sorted(sink.problems, key=lambda p: (p.line, p.column)))
    return report


def archived_texts(archive: Path) -> dict[str, str]:
    """Every long text of the earlier campaigns' post files under ``archive``
    (``archive/<id>/posts/``), spaces collapsed, mapped to its archive folder
    (``archive/ccm-2020``). Files that cannot be read are skipped."""
    found: dict[str, str] = {}
    if not archive.is_dir():
        return found
    for folder in sorted(path for path in archive.iterdir() if path.is_dir()):
        for path, _missing in _files([folder / "posts"]):
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeError, yaml.YAMLError):
                continue
            for text in _strings(data):
                words = " ".join(text.split())
                if len(words) >= _ARCHIVED_TEXT_CHARS:
                    found.setdefault(words, f"{ARCHIVE}/{folder.name}")
    return found


def _strings(data: object) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def _check_file(
    file_path: Path, config: CampaignConfig, resolver: PostResolver, sink: FileProblems
) -> list[Candidate]:
    try:
        raw = read_limited(file_path, POST_FILE_MAX_BYTES, "a post file")
        document = load_bytes(raw, str(file_path), collect=True)
    except ContentError as error:
        sink.from_content_error(error)
        return []
    sink.document = document
    for trap in document.traps:
        rule = "character" if trap.kind == "character" else "yaml"
        sink.from_content_error(trap.error, rule, hint=_trap_hint(trap, config))
    source_path = _source_path(file_path, config.base_dir)
    candidates: list[Candidate] = []
    for entry in read_entries(document, config, sink, file_path.stem):
        candidates.extend(resolver.resolve(entry, sink, source_path))
    return candidates


def _trap_hint(trap: Trap, config: CampaignConfig) -> str | None:
    """The loader's fix for ``trap``, or a better one where the field is known.

    An unquoted ``10:00`` as a post's (or a version's) ``at`` is a time of day
    without its day, and ``status: on`` is no status: quoting either alone would
    only lead to the next error.
    """
    path = trap.path
    if trap.kind == "sexagesimal" and path and path[-1] == "at":
        in_version = len(path) >= 2 and path[-2] in config.languages
        return complete_time_hint(trap.written, config.campaign, in_version=in_version)
    if trap.kind == "bool-word" and path and path[-1] == "status":
        # `status: on` quoted is still no status: name the ones there are.
        return f"write one of {', '.join(STATUSES)} (`status: approved` to publish it)"
    return trap.error.hint


def _files(targets: Sequence[Path]) -> Iterator[tuple[Path, bool]]:
    """Each post file once, in a stable order; (path, True) for a path that does not exist."""
    seen: set[Path] = set()
    for target in targets:
        target = Path(target)
        if target.is_dir():
            found = sorted(
                path
                for path in target.rglob("*")
                if path.suffix.lower() in POST_SUFFIXES
                and path.is_file()
                and not any(part.startswith(".") for part in path.relative_to(target).parts)
            )
        elif target.exists():
            found = [target]
        else:
            yield target, True
            continue
        for path in found:
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                yield path, False


def _display(path: Path) -> str:
    """The path as a person should see it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _source_path(path: Path, base_dir: Path) -> str:
    """The path stored with a post: relative to the campaign folder, with ``/``."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(base_dir.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()
