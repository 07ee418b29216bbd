"""``--profile``: py-spy attached to every daemon a case starts, and a summary of where
the samples fall.

py-spy samples the process from outside (no change to the code measured) and
keeps only the thread holding the interpreter lock (``--gil``: where the CPU
goes, not where threads wait) and writes collapsed stacks (``frame;frame;frame count`` per line, outermost
first). :func:`summarise` turns them into the functions with the most
samples on the stack (inclusive) and at the top of it (self), which is what
the gap analysis needs.

    python -m bench publish --profile              # then read bench/results/profiles/
    python -m bench.profiling FILE.txt [--top 30]  # summarise a collapsed-stack file
"""

from __future__ import annotations

import argparse
import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

# "function (path/to/module.py:123)" as py-spy writes each frame.
_FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")
# Path parts after which a frame's file is shown: libraries, the standard library, ours.
_TRIM = re.compile(r".*?(?:site-packages/|lib/python3\.\d+/|/(?=(?:scheduler|bench)/))")


def py_spy() -> str | None:
    """The py-spy executable beside this Python's (the virtual environment's) or on the
    PATH; None when it is not installed (``pip install py-spy``)."""
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def attach(pid: int, output: Path, rate: int = 250) -> subprocess.Popen[bytes] | None:
    """Start sampling process ``pid`` into ``output`` (collapsed stacks); None without py-spy."""
    executable = py_spy()
    if executable is None:
        return None
    output.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [executable, "record", "--pid", str(pid), "--rate", str(rate), "--format", "raw",
         "--output", str(output), "--nonblocking", "--gil"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def detach(sampler: subprocess.Popen[bytes] | None) -> None:
    """Stop sampling; py-spy writes its file when interrupted."""
    if sampler is None or sampler.poll() is not None:
        return
    sampler.send_signal(signal.SIGINT)
    try:
        sampler.wait(timeout=30)
    except subprocess.TimeoutExpired:
        sampler.kill()


def _short(frame: str, line: bool = False) -> str:
    match = _FRAME.match(frame)
    if match is None:
        return frame
    where = _TRIM.sub("", match["file"], count=1)
    if line and match["line"]:
        where += f":{match['line']}"
    return f"{match['function']} ({where})"


def summarise(path: Path, top: int = 25) -> str:
    """The ``top`` functions by inclusive and by self samples, and the top lines by
    self samples, as text (percentages of all samples)."""
    inclusive: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    self_lines: Counter[str] = Counter()
    total = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [_short(frame) for frame in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] += count
        self_time[frames[-1]] += count
        self_lines[_short(stack.split(";")[-1], line=True)] += count
    if not total:
        return f"{path.name}: no samples"
    lines = [f"{path.name}: {total} samples"]
    for title, counter in (
        ("inclusive", inclusive),
        ("self", self_time),
        ("self, by line", self_lines),
    ):
        lines.append(f"  top {top} by {title}:")
        for frame, count in counter.most_common(top):
            lines.append(f"    {100 * count / total:5.1f}%  {frame}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="Summarise a py-spy collapsed-stack file.")
    parser.add_argument("file", type=Path)
    parser.add_argument("--top", type=int, default=25)
    options = parser.parse_args()
    print(summarise(options.file, options.top))


if __name__ == "__main__":
    main()
