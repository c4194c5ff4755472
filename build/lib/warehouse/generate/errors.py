"""Named exceptions of the generator, each with a message a user can act on."""

from __future__ import annotations


class GenerateError(Exception):
    """The lake could not be generated; the message says why and what to do."""


class ScaleError(GenerateError, ValueError):
    """`--scale` is neither a named scale nor a usable number of online orders."""


class DatasetError(GenerateError, ValueError):
    """`--datasets` names a dataset the generator does not know."""


class ReferenceDataError(GenerateError):
    """The project's reference data (the country seed) does not match what the generator expects."""
