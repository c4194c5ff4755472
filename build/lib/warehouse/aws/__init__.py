"""AWS around the warehouse: the Glue catalog, the Redshift Data API, COPY loads, UNLOAD exports, operations.

Every boto3 client comes from `clients.client`, which takes an optional endpoint so tests and local runs can
point at a server on 127.0.0.1. Configuration is read from the environment into frozen dataclasses
(`settings.py`); nothing secret is ever read from the repository.
"""
