"""The published event contract (``contracts/events/``), generated from the event classes.

``schemas`` turns every event type and version into a JSON Schema and a fingerprint of its
shape; ``asyncapi`` describes the exchange, the routing keys and the messages; ``files``
writes or checks the committed documents. ``python -m conference_cli.contract [--check]``.
"""
