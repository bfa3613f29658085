"""Event transports the projector reads from (the embedded outbox tail; RabbitMQ next)."""
