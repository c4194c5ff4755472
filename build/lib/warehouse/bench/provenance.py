"""What code a benchmark measured: the project's files fingerprinted when the run starts and when it ends.

A benchmark runs dbt on the project folder as it is on disk while it runs, for tens of minutes at full
scale. An edit of a model, macro, test or of the Python during that time makes the later phases measure
other code than the earlier ones (a hook added mid-run is parsed into the next build), and the figures
could not be compared with each other or reproduced. The report records the fingerprint and the git
commit, and a run whose files changed says so at the top of its report, names the files, and the command
exits 1.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# What a build or a benchmark query reads: the dbt project and the Python that runs it.
MEASURED_PATHS: tuple[str, ...] = (
    "dbt_project.yml",
    "profiles.yml",
    "models",
    "macros",
    "tests/generic",
    "tests/singular",
    "analyses",
    "seeds",
    "snapshots",
    "scripts/warehouse",
)


def fingerprint(project_dir: Path) -> dict[str, str]:
    """sha256 of every file under MEASURED_PATHS, by path relative to the project (caches left out)."""
    digests: dict[str, str] = {}
    for name in MEASURED_PATHS:
        root = project_dir / name
        files = [root] if root.is_file() else sorted(root.rglob("*")) if root.is_dir() else []
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts:
                digests[path.relative_to(project_dir).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def changed_files(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    """Files added, removed or edited between two fingerprints, sorted."""
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


@dataclass(frozen=True)
class Provenance:
    """The commit and whether the working tree differed from it, when the run started."""

    commit: str | None
    dirty: bool | None

    @classmethod
    def of(cls, project_dir: Path) -> Provenance:
        def git(*args: str) -> str | None:
            try:
                done = subprocess.run(
                    ["git", "-C", str(project_dir), *args], capture_output=True, text=True, check=True, timeout=30
                )
            except (OSError, subprocess.SubprocessError):
                return None
            return done.stdout.strip()

        commit = git("rev-parse", "HEAD")
        status = git("status", "--porcelain", "--", *MEASURED_PATHS) if commit else None
        return cls(commit=commit, dirty=None if status is None else bool(status))
