"""Rules over the statements the recorded dbt-redshift build sends (see recording.py), one module per topic.

Each rule is a small function with a one-line message and the page that states the limit (AWS's Amazon
Redshift Database Developer Guide, or dbt's docs). `RULES` lists them in report order; `run_rules` runs all.
"""

from __future__ import annotations

from warehouse.verify.redshift.rules import access, mviews, payloads, spectrum, system_views, transactions
from warehouse.verify.redshift.rules.base import Rule, RuleContext, RuleOutcome, kinesis_schemas

RULES: tuple[Rule, ...] = (
    spectrum.RULES["pseudocolumns"],
    mviews.RULES["mv-on-mv"],
    mviews.RULES["contract-on-mv"],
    mviews.RULES["drop-cascade"],
    mviews.RULES["streaming-recreated"],
    mviews.RULES["kinesis-read"],
    spectrum.RULES["external-properties"],
    spectrum.RULES["loaded-at-field"],
    spectrum.RULES["partitions"],
    payloads.RULE,
    transactions.RULE,
    system_views.RULE,
    access.RULE,
)


def run_rules(context: RuleContext, rules: tuple[Rule, ...] = RULES) -> list[tuple[Rule, RuleOutcome]]:
    """Every rule's outcome over `context`, in order. A finding repeated by a later run (the same node and
    message in the second build, say) is reported once, with the first statement that showed it."""
    results = []
    for rule in rules:
        outcome = rule.check(context)
        seen: set[tuple[str, str]] = set()
        kept = []
        for finding in outcome.findings:
            if (finding.subject, finding.message) not in seen:
                seen.add((finding.subject, finding.message))
                kept.append(finding)
        results.append((rule, RuleOutcome(outcome.checked, outcome.unit, tuple(kept))))
    return results


__all__ = ["RULES", "Rule", "RuleContext", "RuleOutcome", "kinesis_schemas", "run_rules"]
