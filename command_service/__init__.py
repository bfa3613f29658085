"""The write side of Conference Program: commands in, aggregates and outbox events out."""
