"""The repository explains itself: requirements are cited by the names docs/requirements.md defines.

Three checks over the tracked text files, none of them runs dbt:

- no file cites a requirement document by number (the documents are not in the repository); dbt seeds
  (`seeds/`, `dbt seed`, `path:seeds`) and random seeds (`--seed 42`, `seed=42`) are not citations;
- every requirement name cited anywhere (`ORD-DEDUP`, `INV-CDC-ORDER`, ...) is defined in docs/requirements.md;
- every requirement there names at least one repository path, every path it names exists, and every test it
  names is a test function.

Each check is a function over a root directory and a list of files, so the last tests point it at tmp_path
and prove it fails on a planted citation, an undefined name and a wrong path.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = Path("docs/requirements.md")

# A requirement document cited by number: the word seed or seeds, an optional space, three digits starting
# with 0. The possessives of seed (singular and plural) only ever meant those documents here; for a random
# seed write "the seed of".
SEED_CITATION = re.compile(r"\bseeds? ?0\d\d\b|\bseed's\b|\bseeds'", re.IGNORECASE)
PREFIXES = ("ARCH", "ORD", "POS", "SALES", "CUST", "CAT", "MKT", "WEB", "INV", "EXP", "PERF", "OPS", "SEC")
REQUIREMENT_NAME = re.compile(r"\b(?:" + "|".join(PREFIXES) + r")-[A-Z0-9]+(?:-[A-Z0-9]+)*\b")
HEADING = re.compile(r"^### (\S+)\s*$", re.MULTILINE)
BACKTICKED = re.compile(r"`([^`\s]+)`")
PATH_STARTS = ("models/", "macros/", "scripts/", "tests/", "docs/", "analyses/", "infra/", "snapshots/", "seeds/")
ROOT_FILES = {"README.md", "Makefile", "dbt_project.yml", "profiles.yml", "pyproject.toml", ".sqlfluff"}
TEST_NAME = re.compile(r"^test_[a-z0-9_]+$")


def tracked_text_files(root: Path) -> list[Path]:
    """The files git tracks under `root`, relative to it, without binary files (a NUL byte or not UTF-8)."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=root, check=True, capture_output=True).stdout
    files = []
    for name in listed.decode().split("\0"):
        if name and _text(root / name) is not None:
            files.append(Path(name))
    return files


def _text(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return None  # deleted in the work tree, or a submodule
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _lines(root: Path, files: list[Path]):
    for name in files:
        text = _text(root / name) or ""
        for number, line in enumerate(text.splitlines(), start=1):
            yield name, number, line


def seed_citations(root: Path, files: list[Path]) -> list[str]:
    """`file:line: match` for every citation of a requirement document by number."""
    return [
        f"{name}:{number}: {match.group(0)!r}"
        for name, number, line in _lines(root, files)
        for match in SEED_CITATION.finditer(line)
    ]


def defined_requirements(root: Path) -> dict[str, str]:
    """Each requirement of docs/requirements.md (a `### NAME` heading) with the text of its entry."""
    text = (root / REQUIREMENTS).read_text()
    headings = list(HEADING.finditer(text))
    entries = {}
    for i, heading in enumerate(headings):
        end = headings[i + 1].start() if i + 1 < len(headings) else len(text)
        body = text[heading.end() : end].split("\n## ")[0]
        entries[heading.group(1)] = body
    return entries


def undefined_citations(root: Path, files: list[Path]) -> list[str]:
    """`file:line: NAME` for every cited requirement name that docs/requirements.md does not define."""
    defined = defined_requirements(root)
    return [
        f"{name}:{number}: {match.group(0)}"
        for name, number, line in _lines(root, files)
        for match in REQUIREMENT_NAME.finditer(line)
        if match.group(0) not in defined
    ]


def _is_repo_path(token: str) -> bool:
    return token.startswith(PATH_STARTS) or token in ROOT_FILES


def requirement_problems(root: Path) -> list[str]:
    """Malformed names, requirements without a path, paths that do not exist and unknown test names."""
    test_functions = {
        match.group(1)
        for path in (root / "tests").rglob("test_*.py")
        for match in re.finditer(r"^\s*def (test_[a-z0-9_]+)\(", path.read_text(), re.MULTILINE)
    }
    problems = []
    for name, body in defined_requirements(root).items():
        if not REQUIREMENT_NAME.fullmatch(name):
            problems.append(f"{name}: not a requirement name (UPPER-KEBAB with a known domain prefix)")
        tokens = BACKTICKED.findall(body)
        paths = [token for token in tokens if _is_repo_path(token)]
        if not paths:
            problems.append(f"{name}: names no repository path")
        problems += [f"{name}: `{path}` does not exist" for path in paths if not (root / path).exists()]
        problems += [
            f"{name}: `{token}` is not a test function in tests/"
            for token in tokens
            if TEST_NAME.match(token) and token not in test_functions
        ]
    return problems


# --- the repository --------------------------------------------------------------------------------------


def test_no_tracked_file_cites_a_requirement_document_by_number():
    found = seed_citations(ROOT, tracked_text_files(ROOT))
    assert not found, "cite the requirement's name from docs/requirements.md instead:\n" + "\n".join(found)


def test_every_cited_requirement_name_is_defined():
    files = tracked_text_files(ROOT)
    assert REQUIREMENTS in files
    found = undefined_citations(ROOT, files)
    assert not found, "define these in docs/requirements.md or fix the name:\n" + "\n".join(found)


def test_every_requirement_names_paths_that_exist():
    defined = defined_requirements(ROOT)
    assert len(defined) >= 40 and all(name.split("-")[0] in PREFIXES for name in defined)
    problems = requirement_problems(ROOT)
    assert not problems, "\n".join(problems)


def test_the_repository_cites_requirements():
    outside = {
        match.group(0)
        for name, _, line in _lines(ROOT, tracked_text_files(ROOT))
        if name != REQUIREMENTS
        for match in REQUIREMENT_NAME.finditer(line)
    }
    assert {"EXP-DAILY-REVENUE", "INV-CDC-STREAM", "CAT-POSTGRES", "PERF-STORAGE"} <= outside


# --- the checks can fail ---------------------------------------------------------------------------------


def _tiny_repository(root: Path, requirements: str, files: dict[str, str]) -> list[Path]:
    (root / "docs").mkdir(parents=True)
    (root / "models").mkdir()
    (root / "tests").mkdir()
    (root / "tests" / "test_x.py").write_text("def test_it_works():\n    pass\n")
    (root / "models" / "agg_daily_revenue.sql").write_text("select 1 as x\n")
    (root / REQUIREMENTS).write_text(requirements)
    for name, text in files.items():
        (root / name).write_text(text)
    return [REQUIREMENTS, *map(Path, files)]


GOOD_REQUIREMENTS = (
    "# Requirements\n\n## Exports\n\n### EXP-DAILY-REVENUE\nA daily summary.\n"
    "Where: `models/agg_daily_revenue.sql`; tested in `tests/test_x.py` (`test_it_works`).\n"
)


def test_a_seed_citation_is_caught_and_dbt_or_random_seeds_are_not(tmp_path):
    number = "0" + "03"  # built here so this file itself holds no citation
    files = _tiny_repository(
        tmp_path,
        GOOD_REQUIREMENTS,
        {
            "cites.sql": f"-- Monthly snapshot (seed {number}): one row per month\n",
            "cites.md": f"Measured at the seed{'s'}' scale, as Seed {number}'s dashboard asks.\n",
            "fine.md": (
                "Run `dbt seed`; `seeds/country_regions.csv` is a dbt seed, selected with `path:seeds`.\n"
                "`warehouse generate --seed 42`; generator(seed=42); the seeds of the lake.\n"
            ),
        },
    )
    found = seed_citations(tmp_path, files)
    assert [line.split(":")[0] for line in found] == ["cites.sql", "cites.md", "cites.md"]
    assert f"'seed {number}'" in found[0] and f"'Seed {number}'" in found[2]


def test_an_undefined_requirement_name_is_caught(tmp_path):
    undefined = "ORD" + "-NOT-DEFINED"
    files = _tiny_repository(
        tmp_path,
        GOOD_REQUIREMENTS,
        {"model.sql": f"-- Daily revenue (EXP-DAILY-REVENUE), deduplicated as {undefined} says\n"},
    )
    assert undefined_citations(tmp_path, files) == [f"model.sql:1: {undefined}"]
    assert requirement_problems(tmp_path) == []


def test_a_requirement_without_a_real_path_or_test_is_caught(tmp_path):
    exp = "EXP"  # the names below are built here so this file cites no undefined requirement
    _tiny_repository(
        tmp_path,
        GOOD_REQUIREMENTS
        + f"\n### {exp}-NO-PATH\nSaid, never placed.\n"
        + f"\n### {exp}-WRONG-PATH\nWhere: `models/agg_dialy_revenue.sql`, `models/agg_daily_revenue.sql`.\n"
        + f"\n### {exp}-WRONG-TEST\nWhere: `models/agg_daily_revenue.sql`, tested by `test_it_fails`.\n"
        + "\n### exp-lowercase\nWhere: `models/agg_daily_revenue.sql`.\n",
        {},
    )
    assert requirement_problems(tmp_path) == [
        f"{exp}-NO-PATH: names no repository path",
        f"{exp}-WRONG-PATH: `models/agg_dialy_revenue.sql` does not exist",
        f"{exp}-WRONG-TEST: `test_it_fails` is not a test function in tests/",
        "exp-lowercase: not a requirement name (UPPER-KEBAB with a known domain prefix)",
    ]
