"""Event transports the projector reads from: the outbox tail (embedded) and RabbitMQ."""
