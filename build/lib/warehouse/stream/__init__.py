"""Streams (docs/streams.md): the Kinesis producer and the Lambda-style event validator behind `warehouse stream`
(commands/stream.py)."""
