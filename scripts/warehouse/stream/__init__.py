"""Streams (docs/streams.md): the Kinesis producer, the Lambda-style event validator, `warehouse stream`."""
