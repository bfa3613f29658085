"""The ceiling of command-to-searchable latency: the same pipeline with none of our code.

Each "command" is one ``INSERT`` + ``COMMIT`` of a talk document into a plain PostgreSQL
table (synchronous commit, as the command service's), then one publish to RabbitMQ with a
publisher confirm (persistent message, quorum queue), then a consumer takes what is
waiting (prefetch like the projector's), writes it with one ``_bulk?refresh=true`` into
an index with the read store's talks mapping (the projector's refresh policy: searchable
after each batch), and acks. A command's latency runs from its scheduled send to the
moment the ``_bulk`` that indexed it returned, i.e. it was searchable.

Three threads, as three processes would be in the real shape (writer, relay, projector);
each spends its time waiting on its service, so the GIL is not what limits them. What is
left out is everything ours adds: HTTP, the domain, the outbox claim and mark, envelopes,
decoding, version guards, the journal.
"""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import httpx
import pika
import psycopg

from benchmarks.ceilings.raw_bulk import create_talks_index
from service_conventions.json_types import JsonDict

QUEUE = "bench.raw-pipeline"
PREFETCH = 1000
_STOP = object()


@dataclass
class PipelineLatency:
    """Every command's send-to-searchable seconds, and the sender's worst lag behind its
    schedule (a lagging sender would hide latency: the figure is only fair near 0)."""

    latencies: list[float] = field(default_factory=list)
    sent: int = 0
    max_lag: float = 0.0


def _writer(
    dsn: str,
    documents: Callable[[int], JsonDict],
    rate: float,
    seconds: float,
    handoff: queue.Queue[object],
    result: PipelineLatency,
) -> None:
    with psycopg.connect(dsn) as connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS bench_raw_pipeline "
            "(position bigserial PRIMARY KEY, id text NOT NULL, body jsonb NOT NULL)"
        )
        connection.commit()
        started = time.perf_counter()
        count = int(rate * seconds)
        for number in range(count):
            due = started + number / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            result.max_lag = max(result.max_lag, -pause)
            document = documents(number)
            body = json.dumps(document, separators=(",", ":"))
            connection.execute(
                "INSERT INTO bench_raw_pipeline (id, body) VALUES (%s, %s)", (document["id"], body)
            )
            connection.commit()
            handoff.put((due, body))
            result.sent += 1
    handoff.put(_STOP)


def _publisher(broker_url: str, handoff: queue.Queue[object]) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(broker_url))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        while (item := handoff.get()) is not _STOP:
            assert isinstance(item, tuple)
            due: float = item[0]
            body: str = item[1]
            channel.basic_publish(
                "",
                QUEUE,
                body.encode(),
                pika.BasicProperties(delivery_mode=2, headers={"due": repr(due)}),
                mandatory=True,
            )
    finally:
        connection.close()


def _consumer(
    broker_url: str,
    search_url: str,
    index: str,
    expected: Callable[[], int],
    done_sending: threading.Event,
    result: PipelineLatency,
) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(broker_url))
    search = httpx.Client(base_url=search_url, timeout=60)
    try:
        channel = connection.channel()
        channel.basic_qos(prefetch_count=PREFETCH)
        batch: list[tuple[int, float, bytes]] = []
        for method, properties, body in channel.consume(QUEUE, inactivity_timeout=0.002):
            if method is not None:
                batch.append((method.delivery_tag, float(properties.headers["due"]), body))
                if len(batch) < PREFETCH:
                    continue
            if batch:
                _index(search, index, [body for _, _, body in batch])
                now = time.perf_counter()
                result.latencies += [now - due for _, due, _ in batch]
                channel.basic_ack(batch[-1][0], multiple=True)
                batch = []
            if done_sending.is_set() and len(result.latencies) >= expected():
                break
        channel.cancel()
    finally:
        search.close()
        connection.close()


def _index(search: httpx.Client, index: str, bodies: Sequence[bytes]) -> None:
    lines: list[bytes] = []
    for body in bodies:
        document_id = json.loads(body)["id"]
        lines.append(json.dumps({"index": {"_index": index, "_id": document_id}}).encode())
        lines.append(body)
    response = search.post(
        "/_bulk",
        params={"refresh": "true"},
        content=b"\n".join(lines) + b"\n",
        headers={"Content-Type": "application/x-ndjson"},
    )
    response.raise_for_status()
    if response.json().get("errors"):
        raise RuntimeError("the raw pipeline's bulk refused a document")


def raw_pipeline_latency(
    *,
    postgres_dsn: str,
    broker_url: str,
    search_url: str,
    index: str,
    templates: Sequence[JsonDict],
    rate: float,
    seconds: float,
) -> PipelineLatency:
    """Run the raw pipeline at ``rate`` commands/s for ``seconds``; documents are the
    ``templates`` (projected talk documents) cycled with fresh ids."""
    with httpx.Client(base_url=search_url, timeout=60) as search:
        create_talks_index(search, index, replicas=0)
    setup = pika.BlockingConnection(pika.URLParameters(broker_url))
    # A quorum queue, as the projector's: the broker does the same replicated-log work.
    setup.channel().queue_declare(QUEUE, durable=True, arguments={"x-queue-type": "quorum"})
    setup.close()

    def documents(number: int) -> JsonDict:
        return templates[number % len(templates)] | {"id": str(uuid.uuid4())}

    result = PipelineLatency()
    handoff: queue.Queue[object] = queue.Queue()
    done_sending = threading.Event()

    def write_then_signal() -> None:
        try:
            _writer(postgres_dsn, documents, rate, seconds, handoff, result)
        finally:
            done_sending.set()

    threads = [
        threading.Thread(target=write_then_signal, name="raw-writer"),
        threading.Thread(target=_publisher, args=(broker_url, handoff), name="raw-relay"),
        threading.Thread(
            target=_consumer,
            args=(broker_url, search_url, index, lambda: result.sent, done_sending, result),
            name="raw-projector",
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    if any(thread.is_alive() for thread in threads):
        raise RuntimeError("the raw pipeline did not drain within two minutes of its run")
    teardown = pika.BlockingConnection(pika.URLParameters(broker_url))
    teardown.channel().queue_delete(QUEUE)
    teardown.close()
    return result
