"""GlobalRetail warehouse tooling: the Python behind the `warehouse` CLI."""

__version__ = "0.1.0"
