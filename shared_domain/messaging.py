"""How events travel on a broker: the part of the published language that names routes.

Pure constants and functions (no broker client here): the relay publishes with them, every
consumer binds with them, and both stay in step because they share this one module.
"""

from __future__ import annotations

from shared_domain.events import JsonObject

EXCHANGE = "conference.events"
"""A durable topic exchange; every domain event is published to it."""

CONTENT_TYPE = "application/cloudevents+json"

ALL_EVENTS = "conference.#"
"""Binding pattern for a consumer that wants every event."""


def routing_key(envelope: JsonObject) -> str:
    """The event's CloudEvents type, e.g. ``conference.talk.accepted.v1``.

    Routing by type lets a consumer bind to one aggregate (``conference.talk.#``) or one
    schema version, and keeps unknown future types visible to catch-all consumers.
    """
    return str(envelope["type"])
