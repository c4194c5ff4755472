"""Peak resident memory of this process while a block runs (dbt runs in-process, so this is dbt + DuckDB).

A thread samples VmRSS from /proc/self/status every `interval` seconds; without /proc (not Linux), the
process's lifetime peak from getrusage is used instead.
"""

from __future__ import annotations

import resource
import sys
import threading
from pathlib import Path
from types import TracebackType

_STATUS = Path("/proc/self/status")


def current_rss_bytes() -> int | None:
    try:
        for line in _STATUS.read_text(encoding="ascii").splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def lifetime_peak_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


class PeakRss:
    """`with PeakRss() as peak: ...` then `peak.bytes`: the highest RSS seen while the block ran."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="bench-rss", daemon=True)

    def _sample(self) -> None:
        while True:
            value = current_rss_bytes()
            if value is not None:
                self.bytes = max(self.bytes, value)
            if self._stop.wait(self.interval):
                return

    def __enter__(self) -> PeakRss:
        if current_rss_bytes() is None:
            return self
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._thread.is_alive():
            self._stop.set()
            self._thread.join()
        else:
            self.bytes = lifetime_peak_bytes()
