"""Which settings each command needs, and the check that reports every missing or wrong one at once.

`problems(uses, env, flags)` is the one check: `warehouse doctor` runs it for every use of a target, and
`copy`, `unload`, `spectrum setup`, `ops monitor|maintain|dr verify` and `build --target redshift` run it
for their own use before they do anything (`require`). Flags are the command-line options that change what
is needed: `catalog-only` (spectrum setup), `source` (copy --source), `destination` and `encrypt` (unload).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from warehouse.config import ConfigError
from warehouse.doctor.registry import DATA_API_USES, SETTINGS, Env, Use, alias_conflicts, is_set, raw, value

Flags = frozenset[str]
NO_FLAGS: Flags = frozenset()


def _always(_env: Env, _flags: Flags) -> bool:
    return True


def _s3(text: str | None) -> bool:
    return bool(text) and str(text).startswith("s3://")


def s3_lake_root(env: Env) -> str:
    """The S3 lake of the AWS commands: WAREHOUSE_S3_LAKE_ROOT, else an s3:// WAREHOUSE_LAKE_ROOT."""
    return raw(env, "WAREHOUSE_S3_LAKE_ROOT") or raw(env, "WAREHOUSE_LAKE_ROOT")


def _serverless_host(env: Env) -> bool:
    return "serverless" in raw(env, "REDSHIFT_HOST")  # how dbt-redshift tells a Serverless endpoint


def _auth_method(env: Env) -> str:
    return raw(env, "REDSHIFT_AUTH_METHOD") or SETTINGS["REDSHIFT_AUTH_METHOD"].default


@dataclass(frozen=True)
class Requirement:
    """One of `names` must be set (or `satisfied` hold) for `uses`, when `applies`."""

    names: tuple[str, ...]
    uses: frozenset[Use]
    purpose: str
    condition: str = ""  # when it applies, in words; "" = always
    applies: Callable[[Env, Flags], bool] = _always
    satisfied: Callable[[Env], bool] | None = None

    def met(self, env: Env) -> bool:
        if self.satisfied is not None:
            return self.satisfied(env)
        return any(is_set(env, name) for name in self.names)


_DATA_API = DATA_API_USES


def _data_api_applies(env: Env, flags: Flags) -> bool:
    return "catalog-only" not in flags


def _provisioned(env: Env, flags: Flags) -> bool:
    return _data_api_applies(env, flags) and not raw(env, "REDSHIFT_WORKGROUP")


REQUIREMENTS: tuple[Requirement, ...] = (
    # dbt's redshift target (profiles.yml and the on-run-start hooks)
    Requirement(("REDSHIFT_HOST",), frozenset({Use.REDSHIFT}), "the cluster or workgroup endpoint dbt connects to"),
    Requirement(
        ("REDSHIFT_USER",),
        frozenset({Use.REDSHIFT}),
        "the database user dbt connects as",
        "unless REDSHIFT_AUTH_METHOD=iam_role",
        lambda env, _flags: _auth_method(env) != "iam_role",
    ),
    Requirement(
        ("DBT_ENV_SECRET_REDSHIFT_PASSWORD",),
        frozenset({Use.REDSHIFT}),
        "the password of REDSHIFT_USER",
        "with REDSHIFT_AUTH_METHOD=database",
        lambda env, _flags: _auth_method(env) == "database",
    ),
    Requirement(
        ("REDSHIFT_CLUSTER_ID",),
        frozenset({Use.REDSHIFT}),
        "the cluster dbt's IAM authentication gets temporary credentials for (stack output ClusterId)",
        "with IAM authentication and a host that is not a Serverless endpoint",
        lambda env, _flags: _auth_method(env) != "database" and not _serverless_host(env),
    ),
    Requirement(
        ("WAREHOUSE_S3_LAKE_ROOT",),
        frozenset({Use.REDSHIFT}),
        "the lake on S3 that dbt's Spectrum tables read, s3://<raw bucket>/lake (stack output LakeRoot); dbt "
        "reads this name only, not WAREHOUSE_LAKE_ROOT",
        satisfied=lambda env: _s3(raw(env, "WAREHOUSE_S3_LAKE_ROOT")),
    ),
    Requirement(
        ("REDSHIFT_SPECTRUM_ROLE_ARN",),
        frozenset({Use.REDSHIFT, Use.SPECTRUM}),
        "the role Redshift assumes to read the lake through Spectrum (stack output SpectrumRoleArn)",
        "for spectrum setup, unless --catalog-only",
        _data_api_applies,
    ),
    Requirement(
        ("REDSHIFT_STREAMING_ROLE_ARN",),
        frozenset({Use.REDSHIFT}),
        "the role of the Kinesis external schema that streams web events and inventory CDC (stack output "
        "StreamingRoleArn)",
    ),
    Requirement(
        ("REDSHIFT_FEDERATED_ROLE_ARN",),
        frozenset({Use.REDSHIFT}),
        "the role of the federated catalog schema (stack output FederatedRoleArn)",
        "with REDSHIFT_CATALOG_PG_URI",
        lambda env, _flags: bool(raw(env, "REDSHIFT_CATALOG_PG_URI")),
    ),
    Requirement(
        ("REDSHIFT_CATALOG_PG_SECRET_ARN",),
        frozenset({Use.REDSHIFT}),
        "the secret with the catalog database's credentials (stack output CatalogSecretArn)",
        "with REDSHIFT_CATALOG_PG_URI",
        lambda env, _flags: bool(raw(env, "REDSHIFT_CATALOG_PG_URI")),
    ),
    # the Data API commands
    Requirement(
        ("REDSHIFT_CLUSTER_ID", "REDSHIFT_WORKGROUP"),
        _DATA_API,
        "the provisioned cluster or the Serverless workgroup the Data API runs statements on (stack output "
        "ClusterId or WorkgroupName)",
        "unless spectrum setup --catalog-only",
        _data_api_applies,
    ),
    Requirement(
        ("REDSHIFT_USER", "REDSHIFT_SECRET_ARN"),
        _DATA_API,
        "who the Data API connects as on a provisioned cluster: a database user (temporary IAM credentials) "
        "or a Secrets Manager secret",
        "on a provisioned cluster: without REDSHIFT_WORKGROUP",
        _provisioned,
    ),
    Requirement(
        ("WAREHOUSE_S3_LAKE_ROOT", "WAREHOUSE_LAKE_ROOT"),
        frozenset({Use.SPECTRUM, Use.COPY}),
        "Glue and Redshift read the lake from S3: s3://<raw bucket>/<prefix> (stack output LakeRoot)",
        "for copy, unless --source",
        lambda _env, flags: "source" not in flags,
        lambda env: _s3(s3_lake_root(env)),
    ),
    Requirement(
        ("REDSHIFT_COPY_UNLOAD_ROLE_ARN",),
        frozenset({Use.COPY, Use.UNLOAD}),
        "the role Redshift assumes for COPY and UNLOAD (stack output CopyUnloadRoleArn)",
    ),
    Requirement(
        ("WAREHOUSE_EXPORT_ROOT", "WAREHOUSE_S3_LAKE_ROOT"),
        frozenset({Use.UNLOAD}),
        "where UNLOAD writes, an s3:// URI (stack output ExportRoot; default <S3 lake root>/exports)",
        "unless --destination",
        lambda _env, flags: "destination" not in flags,
        lambda env: _s3(raw(env, "WAREHOUSE_EXPORT_ROOT") or s3_lake_root(env)),
    ),
    Requirement(
        ("WAREHOUSE_KMS_KEY_ID",),
        frozenset({Use.UNLOAD}),
        "the KMS key that encrypts the export (stack output KmsKeyArn)",
        "with --encrypt and no --kms-key-id",
        lambda _env, flags: "encrypt" in flags,
    ),
)


# --- values that are set but wrong -------------------------------------------------------------------------

_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/\S+$")
_SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:\S+$")


def _choice(*allowed: str) -> Callable[[str], str | None]:
    return lambda text: None if text in allowed else f"must be {' or '.join(allowed)}, not {text!r}"


def _port(text: str) -> str | None:
    return None if text.isdigit() and 0 < int(text) < 65536 else f"must be a port number, not {text!r}"


def _pattern(regex: re.Pattern[str], what: str) -> Callable[[str], str | None]:
    def check(text: str) -> str | None:
        return None if regex.match(text) else f"must be {what}, not {text!r}"

    return check


def _positive_seconds(text: str) -> str | None:
    try:
        return None if float(text) > 0 else f"must be a positive number of seconds, not {text!r}"
    except ValueError:
        return f"must be a positive number of seconds, not {text!r}"


def _whole(text: str) -> str | None:
    return None if text.isdigit() else f"must be a whole number, not {text!r}"


def _s3_uri(text: str) -> str | None:
    return (
        None
        if re.match(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$", text)
        else f"must be s3://bucket/prefix, not {text!r}"
    )


VALIDATORS: dict[str, Callable[[str], str | None]] = {
    "WAREHOUSE_TARGET": _choice("local", "redshift"),
    "WAREHOUSE_S3_URL_STYLE": _choice("path", "vhost"),
    "WAREHOUSE_DUCKDB_S3": _choice("0", "1"),
    "REDSHIFT_AUTH_METHOD": _choice("iam", "database", "iam_role"),
    "REDSHIFT_PORT": _port,
    "REDSHIFT_CATALOG_PG_PORT": _port,
    "REDSHIFT_STATEMENT_TIMEOUT": _positive_seconds,
    "REDSHIFT_CONFLICT_RETRIES": _whole,
    "WAREHOUSE_S3_LAKE_ROOT": _s3_uri,
    "REDSHIFT_SPECTRUM_ROLE_ARN": _pattern(_ROLE_ARN, "an IAM role ARN, arn:aws:iam::<account>:role/<name>"),
    "REDSHIFT_COPY_UNLOAD_ROLE_ARN": _pattern(_ROLE_ARN, "an IAM role ARN, arn:aws:iam::<account>:role/<name>"),
    "REDSHIFT_STREAMING_ROLE_ARN": _pattern(_ROLE_ARN, "an IAM role ARN, arn:aws:iam::<account>:role/<name>"),
    "REDSHIFT_FEDERATED_ROLE_ARN": _pattern(_ROLE_ARN, "an IAM role ARN, arn:aws:iam::<account>:role/<name>"),
    "REDSHIFT_SECRET_ARN": _pattern(_SECRET_ARN, "a Secrets Manager secret ARN"),
    "REDSHIFT_CATALOG_PG_SECRET_ARN": _pattern(_SECRET_ARN, "a Secrets Manager secret ARN"),
}


# --- the check ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """A missing or wrong setting: which names, what is wrong, what it is for, and who needs it."""

    names: tuple[str, ...]
    kind: str  # "missing" or "invalid"
    detail: str
    uses: tuple[Use, ...] = field(default=())

    def describe(self) -> str:
        """What is wrong or what it is for, and who needs it."""
        needed = f" [{', '.join(use.value for use in self.uses)}]" if self.uses else ""
        return f"{self.detail}{needed}"

    def line(self) -> str:
        """`set A or B: what it is for [who needs it]` for a missing setting, `A: what is wrong` otherwise."""
        names = " or ".join(self.names)
        if self.kind == "missing":
            return f"set {names}: {self.describe()}"
        return f"{names + ': ' if names else ''}{self.describe()}"


def _sorted_uses(uses: Iterable[Use]) -> tuple[Use, ...]:
    order = list(Use)
    return tuple(sorted(set(uses), key=order.index))


def applicable(uses: Iterable[Use], env: Env, flags: Flags = NO_FLAGS) -> list[Requirement]:
    """The requirements of `uses` that apply with this environment and these options."""
    wanted = set(uses)
    return [r for r in REQUIREMENTS if r.uses & wanted and r.applies(env, flags)]


def required_names(uses: Iterable[Use], env: Env, flags: Flags = NO_FLAGS) -> set[str]:
    return {name for requirement in applicable(uses, env, flags) for name in requirement.names}


def problems(uses: Iterable[Use], env: Env, flags: Flags = NO_FLAGS) -> list[Problem]:
    """Every missing or wrong setting for `uses`, each once (with every use that needs it)."""
    wanted = set(uses)
    missing: dict[tuple[str, ...], Problem] = {}
    for requirement in applicable(wanted, env, flags):
        if requirement.met(env):
            continue
        condition = f" ({requirement.condition})" if requirement.condition else ""
        key = requirement.names
        found = missing.get(key)
        needed_by = _sorted_uses((requirement.uses & wanted) | set(found.uses if found else ()))
        detail = found.detail if found else f"{requirement.purpose}{condition}"
        missing[key] = Problem(key, "missing", detail, needed_by)
    found_problems = list(missing.values())
    for name, check in VALIDATORS.items():
        setting = SETTINGS[name]
        text = raw(env, name)
        if text and set(setting.uses) & wanted and (error := check(text)) is not None:
            found_problems.append(Problem((name,), "invalid", error, _sorted_uses(set(setting.uses) & wanted)))
    if wanted & DATA_API_USES and raw(env, "REDSHIFT_CLUSTER_ID") and raw(env, "REDSHIFT_WORKGROUP"):
        found_problems.append(
            Problem(
                ("REDSHIFT_CLUSTER_ID", "REDSHIFT_WORKGROUP"),
                "invalid",
                "both are set: the Data API talks to one of them; unset the other",
                _sorted_uses(wanted & DATA_API_USES),
            )
        )
    found_problems += [Problem((alias,), "invalid", conflict) for alias, conflict in alias_conflicts(env)]
    return found_problems


class SettingsError(ConfigError):
    """Settings a command needs are missing or wrong; the message lists all of them."""


def message(command: str, found: list[Problem], target: str = "redshift") -> str:
    lines = "\n".join(f"  - {problem.line()}" for problem in found)
    return (
        f"`{command}` cannot start, {len(found)} setting(s) missing or wrong (nothing was done):\n{lines}\n"
        f"`warehouse doctor --target {target}` checks every setting; docs/settings.md describes them."
    )


def require(use: Use, env: Env, flags: Flags = NO_FLAGS) -> None:
    """Raise SettingsError listing every missing or wrong setting of `use`; resolve deprecated aliases."""
    found = problems({use}, env, flags)
    if found:
        raise SettingsError(message(use.command, found))
    for setting in SETTINGS.values():
        if set(setting.uses) & {use}:
            value(env, setting.name)  # a deprecated alias in use: its notice, once
