"""The checks are defined once, in .pre-commit-config.yaml: `make lint` runs those hooks, and a hook fails on
a file that breaks its rule (a copy of the hooks in a scratch repository, with the project's .venv)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import yaml

from warehouse.config import PROJECT_DIR

CONFIG = PROJECT_DIR / ".pre-commit-config.yaml"


def test_make_lint_runs_every_hook_and_every_hook_is_local() -> None:
    lint = re.search(r"^lint:.*?\n((?:\t.*\n)+)", (PROJECT_DIR / "Makefile").read_text(), re.MULTILINE)
    assert lint and "pre-commit run --all-files" in lint.group(1)
    hooks = [hook for repo in yaml.safe_load(CONFIG.read_text())["repos"] for hook in repo["hooks"]]
    assert {hook["id"] for hook in hooks} >= {"ruff-check", "ruff-format", "governance", "sqlfluff-dbt"}
    assert all(hook["language"] == "system" and hook["entry"].startswith(".venv/bin/") for hook in hooks)


def test_the_ruff_hook_fails_on_a_broken_file_and_passes_once_fixed(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    (repo / "tests" / "python").mkdir(parents=True)
    shutil.copy(CONFIG, repo / CONFIG.name)
    shutil.copy(PROJECT_DIR / "pyproject.toml", repo / "pyproject.toml")  # the project's ruff settings
    (repo / ".venv").symlink_to(PROJECT_DIR / ".venv")
    broken = repo / "scripts" / "module.py"
    broken.write_text('"""A module."""\n\nimport os\n')  # F401: imported but unused
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_CONFIG_GLOBAL": os.devnull}
    pre_commit = str(PROJECT_DIR / ".venv" / "bin" / "pre-commit")

    def hook() -> subprocess.CompletedProcess[str]:
        subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=env)
        return subprocess.run(
            [pre_commit, "run", "ruff-check", "--all-files"], cwd=repo, env=env, capture_output=True, text=True
        )

    subprocess.run(["git", "init", "-q", str(repo)], check=True, env=env)
    failed = hook()
    assert failed.returncode == 1 and "F401" in failed.stdout, failed.stdout + failed.stderr
    broken.write_text('"""A module."""\n\nimport os\n\nHOME = os.sep\n')
    passed = hook()
    assert passed.returncode == 0, passed.stdout + passed.stderr
