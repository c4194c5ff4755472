"""The list of Redshift SQL function names kept beside this module in redshift_functions.txt."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from warehouse.verify.redshift.errors import FunctionListError

FUNCTION_LIST = "redshift_functions.txt"


def parse_function_list(text: str) -> frozenset[str]:
    """Names from the list format: one per line, '#' starts a comment, blank lines ignored."""
    names = {line.split("#", 1)[0].strip().lower() for line in text.splitlines()}
    names.discard("")
    return frozenset(names)


@lru_cache(maxsize=1)
def redshift_functions() -> frozenset[str]:
    """The packaged function names. Raises FunctionListError if the file is missing or empty."""
    try:
        text = resources.files(__package__).joinpath(FUNCTION_LIST).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError) as exc:
        raise FunctionListError(
            f"{FUNCTION_LIST} is missing from the warehouse.verify.redshift package ({exc}); "
            "restore it from git, or install the package with its data files"
        ) from exc
    names = parse_function_list(text)
    if not names:
        raise FunctionListError(f"{FUNCTION_LIST} lists no function names")
    return names
