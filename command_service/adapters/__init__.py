"""SQL adapters of the command side: tables, engine, repositories, outbox, unit of work."""
