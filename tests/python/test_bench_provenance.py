"""The benchmark records which code it measured and marks a run whose project files changed meanwhile."""

from __future__ import annotations

import subprocess
from pathlib import Path

from warehouse.bench import provenance
from warehouse.bench.report import _provenance_lines


def _project(root: Path) -> Path:
    (root / "models" / "gold").mkdir(parents=True)
    (root / "models" / "gold" / "fct.sql").write_text("select 1 as id\n")
    (root / "dbt_project.yml").write_text("name: p\n")
    (root / "scripts" / "warehouse" / "__pycache__").mkdir(parents=True)
    (root / "scripts" / "warehouse" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    (root / "docs").mkdir()
    (root / "docs" / "notes.md").write_text("not measured\n")
    return root


def test_an_edited_added_or_removed_project_file_is_named(tmp_path: Path) -> None:
    project = _project(tmp_path)
    before = provenance.fingerprint(project)
    assert set(before) == {"models/gold/fct.sql", "dbt_project.yml"}, "caches and docs are not measured code"
    (project / "docs" / "notes.md").write_text("edited\n")
    assert provenance.changed_files(before, provenance.fingerprint(project)) == []
    (project / "models" / "gold" / "fct.sql").write_text("select 2 as id\n")
    (project / "macros").mkdir()
    (project / "macros" / "hook.sql").write_text("{% macro hook() %}{% endmacro %}\n")
    (project / "dbt_project.yml").unlink()
    assert provenance.changed_files(before, provenance.fingerprint(project)) == [
        "dbt_project.yml",
        "macros/hook.sql",
        "models/gold/fct.sql",
    ]


def test_the_report_marks_a_changed_run_invalid_and_names_the_commit(tmp_path: Path) -> None:
    project = _project(tmp_path)
    for args in (["init", "-q"], ["add", "."], ["-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "x"]):
        subprocess.run(["git", "-C", str(project), *args], check=True)
    clean = provenance.Provenance.of(project)
    assert clean.commit and len(clean.commit) == 40 and clean.dirty is False
    (project / "models" / "gold" / "fct.sql").write_text("select 3 as id\n")
    assert provenance.Provenance.of(project).dirty is True

    valid = "\n".join(_provenance_lines({"commit": clean.commit, "dirty": False, "changed_during_run": []}))
    assert "INVALID" not in valid and clean.commit[:12] in valid
    invalid = "\n".join(_provenance_lines({"commit": clean.commit, "dirty": True, "changed_during_run": ["m.sql"]}))
    assert invalid.startswith("**INVALID: 1 project file(s) changed") and "`m.sql`" in invalid
    assert "uncommitted changes" in invalid
    assert provenance.Provenance.of(tmp_path / "nowhere") == provenance.Provenance(commit=None, dirty=None)
