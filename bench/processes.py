"""Real processes for the daemon cases: ``campaign run`` and the floors' helpers.

A :class:`DaemonProcess` is ``python -m scheduler run`` with the generated
config.yaml and the sandbox's credentials in its environment, exactly as a
user starts it; its log is read line by line so the moment it says it started
is known to the millisecond. Peak memory is the kernel's high-water mark
(``VmHWM`` in ``/proc/<pid>/status``, Linux) and CPU time comes from psutil.

The sandbox runs in the benchmark's own process (see :mod:`bench.live`), so
it never shares an interpreter lock with the code it measures.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path

import psutil  # type: ignore[import-untyped]

from bench.profiling import attach, detach, summarise

STARTED_MARK = " started: "


class DaemonProcess:
    """``campaign run`` in a new process; ``log`` receives its output.

    With ``profile``, py-spy samples it into that file from the moment it is ready
    (from its start with ``profile_start_up``).

    ``spawned`` and ``ready`` are ``time.perf_counter()`` instants: when the
    process was created and when it logged that it started (None until then).
    """

    def __init__(
        self,
        config_path: Path,
        database_url: str,
        environment: Mapping[str, str],
        log: Path,
        worker_id: str | None = None,
        profile: Path | None = None,
        profile_start_up: bool = False,
    ) -> None:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("CAMPAIGN_") and not key.startswith("BENCH_")
        }
        env.update(environment)
        env["CAMPAIGN_LOG_LEVEL"] = "INFO"
        command = [
            sys.executable, "-m", "scheduler", "run",
            "--config", str(config_path), "--database-url", database_url,
        ]  # fmt: skip
        if worker_id:
            command += ["--worker-id", worker_id]
        self.log = log
        self.ready: float | None = None
        self._ready_event = threading.Event()
        self.spawned = time.perf_counter()
        self.process = subprocess.Popen(
            command,
            cwd=config_path.parent,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.profile = profile
        self._sampler: subprocess.Popen[bytes] | None = None
        if profile is not None and profile_start_up:
            self._sampler = attach(self.process.pid, profile)
        self._reader = threading.Thread(target=self._read, daemon=True, name="bench-daemon-log")
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        with self.log.open("wb") as sink:
            for line in self.process.stdout:
                if self.ready is None and STARTED_MARK.encode() in line:
                    self.ready = time.perf_counter()
                    if self.profile is not None and self._sampler is None:
                        self._sampler = attach(self.process.pid, self.profile)
                    self._ready_event.set()
                sink.write(line)
        self._ready_event.set()

    def wait_ready(self, timeout_s: float = 60.0) -> float:
        """Wall seconds from spawning to "started".

        :raises RuntimeError: the daemon exited or did not start in time (its log's tail).
        """
        self._ready_event.wait(timeout_s)
        if self.ready is None:
            self.kill()
            tail = self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-5:]
            raise RuntimeError("campaign run did not start: " + " / ".join(tail))
        return self.ready - self.spawned

    @property
    def pid(self) -> int:
        return self.process.pid

    def peak_rss_mb(self) -> float | None:
        """The process's peak resident memory so far, in MB (None where /proc has no VmHWM)."""
        try:
            status = Path(f"/proc/{self.pid}/status").read_text(encoding="ascii")
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return None

    def cpu_seconds(self) -> float:
        """User plus system CPU time the process has used so far."""
        times = psutil.Process(self.pid).cpu_times()
        return float(times.user + times.system)

    def stop(self, timeout_s: float = 30.0) -> int:
        """SIGTERM, as a service manager stops it; returns the exit status. A profile
        being recorded is written first, with its summary beside it."""
        if self._sampler is not None:
            detach(self._sampler)
            self._sampler = None
            if self.profile is not None and self.profile.exists():
                summary = self.profile.with_suffix(".summary.txt")
                summary.write_text(summarise(self.profile, top=40) + "\n", encoding="utf-8")
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()
            status = -9
        self._reader.join(timeout=5)
        return status

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def run_helper(module: str, *arguments: str, timeout_s: float = 600.0) -> str:
    """Run ``python -m <module> <arguments>`` from the repository root; its stdout.

    :raises RuntimeError: with its stderr when it fails.
    """
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-m", module, *arguments],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} failed: {done.stderr.strip()[-800:]}")
    return done.stdout
