"""Project paths and settings, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]


DUCKDB_MEMORY_LIMIT_DEFAULT = "4GB"  # the default of profiles.yml's memory_limit


def duckdb_memory_limit() -> str:
    """DuckDB's buffer pool for this project's connections: WAREHOUSE_DUCKDB_MEMORY_LIMIT, as profiles.yml."""
    return os.environ.get("WAREHOUSE_DUCKDB_MEMORY_LIMIT", DUCKDB_MEMORY_LIMIT_DEFAULT)


def access_settings(project_dir: Path | None = PROJECT_DIR) -> tuple[frozenset[str], str]:
    """(roles that read personal data in clear, the row-restricted role) from dbt_project.yml's vars."""
    if project_dir is None:
        return frozenset(), ""
    try:
        project = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return frozenset(), ""
    variables = project.get("vars") or {}
    clear = frozenset(str(role).lower() for role in variables.get("access_clear_pii_roles") or [])
    return clear, str((variables.get("row_access") or {}).get("role") or "").lower()


class ConfigError(Exception):
    """A setting is missing or invalid; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    """Where the warehouse keeps its files.

    `data_dir` holds the DuckDB file, the lake and benchmark output. `lake_root` is the lake's root: a local
    folder by default, or an `s3://bucket/prefix` URI when the lake lives on S3.
    """

    project_dir: Path
    data_dir: Path
    lake_root: str
    target: str

    @property
    def duckdb_path(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @property
    def lake_is_local(self) -> bool:
        return "://" not in self.lake_root

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("WAREHOUSE_DATA_DIR", str(PROJECT_DIR / "data")))
        if not data_dir.is_absolute():
            data_dir = (Path.cwd() / data_dir).resolve()
        lake_root = env.get("WAREHOUSE_LAKE_ROOT") or str(data_dir / "lake")
        target = env.get("WAREHOUSE_TARGET", "local")
        if target not in {"local", "redshift"}:
            raise ConfigError(f"WAREHOUSE_TARGET must be 'local' or 'redshift', not {target!r}")
        return cls(project_dir=PROJECT_DIR, data_dir=data_dir, lake_root=lake_root, target=target)

    def dbt_env(self) -> dict[str, str]:
        """Environment variables that make dbt see the same paths as this process."""
        return {
            "WAREHOUSE_DATA_DIR": str(self.data_dir),
            "WAREHOUSE_LAKE_ROOT": self.lake_root,
            "WAREHOUSE_TARGET": self.target,
            "DBT_PROFILES_DIR": str(self.project_dir),
            "DBT_PROJECT_DIR": str(self.project_dir),
        }

    def apply_to_environ(self) -> None:
        os.environ.update(self.dbt_env())
