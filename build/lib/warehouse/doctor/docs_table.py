"""The settings table of docs/settings.md, written from the registry (`warehouse doctor --settings-table`)."""

from __future__ import annotations

from pathlib import Path

from warehouse.config import PROJECT_DIR
from warehouse.doctor.registry import SETTINGS_LIST, Setting, Use
from warehouse.doctor.requirements import REQUIREMENTS

DOC_PATH = PROJECT_DIR / "docs" / "settings.md"
START = "<!-- settings-table:start (written by `warehouse doctor --settings-table --write`) -->"
END = "<!-- settings-table:end -->"

_SHORT = {
    Use.LOCAL: "build",
    Use.REDSHIFT: "build (redshift)",
    Use.SPECTRUM: "spectrum",
    Use.COPY: "copy",
    Use.UNLOAD: "unload",
    Use.OPS: "ops",
    Use.ALERTS: "alerts",
}


def _required(setting: Setting) -> str:
    parts = []
    for requirement in REQUIREMENTS:
        if setting.name not in requirement.names:
            continue
        uses = ", ".join(_SHORT[use] for use in Use if use in requirement.uses)
        others = [name for name in requirement.names if name != setting.name]
        either = f" (or {', '.join(f'`{n}`' for n in others)})" if others else ""
        condition = f", {requirement.condition}" if requirement.condition else ""
        parts.append(f"{uses}{either}{condition}")
    return "; ".join(parts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_table() -> str:
    lines = [
        "| variable | default | required by | read by | meaning |",
        "|---|---|---|---|---|",
    ]
    for setting in SETTINGS_LIST:
        name = f"`{setting.name}`"
        if setting.aliases:
            name += " (deprecated: " + ", ".join(f"`{alias}`" for alias in setting.aliases) + ")"
        meaning = setting.meaning
        if setting.stack_output:
            meaning += f"; stack output `{setting.stack_output}`"
        if setting.secret:
            meaning += ". **Secret**: never printed"
        default = setting.default if not setting.default or "`" in setting.default else f"`{setting.default}`"
        read_by = ", ".join(_SHORT[use] for use in Use if use in setting.uses)
        cells = [name, default, _required(setting), read_by, meaning]
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def documented_table(path: Path = DOC_PATH) -> str:
    text = path.read_text(encoding="utf-8")
    return text[text.index(START) + len(START) : text.index(END)].strip("\n") + "\n"


def write_table(path: Path = DOC_PATH) -> None:
    text = path.read_text(encoding="utf-8")
    before, after = text[: text.index(START) + len(START)], text[text.index(END) :]
    path.write_text(f"{before}\n{render_table()}{after}", encoding="utf-8")
