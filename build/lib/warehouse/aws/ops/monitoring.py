"""Monitoring queries over Redshift's system tables, kept as SQL in analyses/monitoring/ and run via the Data API."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from warehouse.aws.data_api import DataApiRunner, StatementResult
from warehouse.aws.errors import AwsSettingsError
from warehouse.config import PROJECT_DIR

MONITORING_DIR = PROJECT_DIR / "analyses" / "monitoring"


@dataclass(frozen=True)
class Check:
    name: str
    file: str
    title: str
    provisioned_only: bool = False

    def sql(self, directory: Path = MONITORING_DIR) -> str:
        path = directory / self.file
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise AwsSettingsError(f"monitoring query {path} is missing: {exc}") from exc
        return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--")).strip()


CHECKS: dict[str, Check] = {
    check.name: check
    for check in (
        Check("long-running", "long_running_queries.sql", "queries running for more than 5 minutes"),
        Check("disk", "disk_usage.sql", "disk use per node", provisioned_only=True),
        Check("tables", "table_health.sql", "largest tables: skew, unsorted %, stale statistics"),
        Check("wlm", "wlm_queues.sql", "WLM queues: slots, queued and running", provisioned_only=True),
        Check("load-errors", "load_errors.sql", "COPY load errors of the last 24 hours"),
        Check("conflicts", "serialization_conflicts.sql", "1023 conflicts of the last 24 hours", True),
        Check("transactions", "open_transactions.sql", "open transactions and their locks"),
    )
}


def run_checks(
    runner: DataApiRunner, names: list[str] | None = None, directory: Path = MONITORING_DIR
) -> list[tuple[Check, StatementResult | None]]:
    """Run the named checks (default: all that apply to the target); None for a check that does not apply."""
    selected = [CHECKS[name] for name in names] if names else list(CHECKS.values())
    results: list[tuple[Check, StatementResult | None]] = []
    for check in selected:
        if check.provisioned_only and runner.target.serverless:
            results.append((check, None))
            continue
        results.append((check, runner.execute(check.sql(directory))))
    return results
