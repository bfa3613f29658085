"""The AsyncAPI 3.0 document of the event stream: one topic exchange, one routing key per
event type and version (the CloudEvents ``type``), one message each.

Each routing key is a channel (AMQP binding ``is: routingKey`` on the exchange), which is
how AsyncAPI 3.0 spells "a topic exchange and its keys"; the relay's one operation sends
them all, a consumer binds ``conference.#`` or a narrower pattern.
"""

from __future__ import annotations

from importlib.metadata import version

from conference_cli.contract.schemas import PUBLISHED, envelope_schema
from shared_domain.events import DomainEvent, JsonDict
from shared_domain.messaging import ALL_EVENTS, CONTENT_TYPE, EXCHANGE

AMQP_BINDING = "0.3.0"
PERSISTENT = 2


def _key(cls: type[DomainEvent]) -> str:
    """A component name: ``conference.talk.submitted.v2`` -> ``talk_submitted_v2``."""
    return cls.event_type().removeprefix("conference.").replace(".", "_")


def _channel(cls: type[DomainEvent]) -> JsonDict:
    key = _key(cls)
    return {
        "address": cls.event_type(),
        "title": cls.event_type(),
        "description": f"Routing key {cls.event_type()} on the {EXCHANGE} topic exchange.",
        "messages": {key: {"$ref": f"#/components/messages/{key}"}},
        "bindings": {
            "amqp": {
                "is": "routingKey",
                "exchange": {
                    "name": EXCHANGE,
                    "type": "topic",
                    "durable": True,
                    "autoDelete": False,
                    "vhost": "/",
                },
                "bindingVersion": AMQP_BINDING,
            }
        },
    }


def _message(cls: type[DomainEvent]) -> JsonDict:
    return {
        "name": cls.event_type(),
        "title": cls.event_type(),
        "contentType": CONTENT_TYPE,
        "payload": {"$ref": f"#/components/schemas/{_key(cls)}"},
        "headers": {
            "type": "object",
            "description": "AMQP headers: the aggregate, for ordering guards before parsing",
            "properties": {
                "aggregatetype": {"type": "string", "const": cls.aggregate_type},
                "aggregateid": {"type": "string"},
                "aggregateversion": {"type": "integer", "minimum": 1},
                "traceparent": {"type": "string"},
            },
            "required": ["aggregatetype", "aggregateid", "aggregateversion"],
        },
        "bindings": {
            "amqp": {"messageType": cls.event_type(), "bindingVersion": AMQP_BINDING},
        },
    }


def _operation(cls: type[DomainEvent]) -> JsonDict:
    key = _key(cls)
    return {
        "action": "send",
        "title": f"Publish {cls.event_type()}",
        "channel": {"$ref": f"#/channels/{key}"},
        "messages": [{"$ref": f"#/channels/{key}/messages/{key}"}],
        "bindings": {
            "amqp": {
                "deliveryMode": PERSISTENT,
                "mandatory": True,
                "bindingVersion": AMQP_BINDING,
            }
        },
    }


def document() -> JsonDict:
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Conference Program domain events",
            "version": version("conference-program"),
            "description": (
                "Every domain event as a CloudEvents 1.0 JSON message on the "
                f"{EXCHANGE} topic exchange; the routing key is the event's type, "
                f"versioned (bind {ALL_EVENTS} for all). A message is sent once the "
                "command that caused it commits (transactional outbox), at least once: "
                "consumers deduplicate on the message id (the event id) and order by "
                "aggregateversion per aggregate."
            ),
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "rabbitmq": {
                "host": "localhost:5672",
                "protocol": "amqp",
                "protocolVersion": "0-9-1",
                "description": "BROKER_URL of the deployment",
            }
        },
        "channels": {_key(cls): _channel(cls) for cls in PUBLISHED},
        "operations": {f"publish_{_key(cls)}": _operation(cls) for cls in PUBLISHED},
        "components": {
            "messages": {_key(cls): _message(cls) for cls in PUBLISHED},
            "schemas": {_key(cls): envelope_schema(cls) for cls in PUBLISHED},
        },
    }
