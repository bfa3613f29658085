"""``conference demo``: a realistic sample programme, loaded through the public write API.

Going through HTTP (not the database) makes the demo an honest smoke test of the whole
pipeline: every talk, slot and rating it creates travels the outbox to the read models. It
calls as the API's users would: an organizer's token for the programme, each attendee's
own for their rating, signed by the deployment's local key (run it where ``conference up``
runs, or with the same ``AUTH_SIGNING_KEY_FILE``).
"""

from __future__ import annotations

import random
import sys
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from service_conventions.auth.issuing import CannotIssue, issue_token
from service_conventions.auth.settings import AuthSettings

STAGES = ("Main Hall", "Room Ada", "Room Grace")
DAY_STARTS = "09:00"
SLOT_MINUTES = 50
SLOTS_PER_DAY = 9
TALK_COUNT = 60
ACCEPTED_COUNT = 52
ATTENDEES = 40

TOPICS: dict[str, tuple[str, ...]] = {
    "kubernetes": ("Kubernetes", "Operators", "Helm charts", "Autoscaling pods"),
    "python": ("Python typing", "asyncio", "Packaging Python", "CPython internals"),
    "observability": ("OpenTelemetry", "Distributed tracing", "SLOs that matter", "Logging"),
    "security": ("Supply-chain security", "Zero trust", "Secrets management", "Threat modeling"),
    "data": ("Data pipelines", "Stream processing", "Data contracts", "Lakehouses"),
    "ml": ("LLM serving", "Feature stores", "MLOps", "Embeddings at scale"),
    "databases": ("PostgreSQL tuning", "Event sourcing", "CQRS", "Schema migrations"),
    "rust": ("Rust for Pythonistas", "Async Rust", "PyO3 extensions", "Memory safety"),
    "testing": ("Property-based testing", "Contract tests", "Flaky tests", "Mutation testing"),
    "cloud": ("Serverless", "Cost-aware architecture", "Multi-region failover", "Edge compute"),
}
ANGLES = (
    "{t} in practice",
    "{t}: lessons from production",
    "Scaling {t}",
    "A gentle introduction to {t}",
    "{t} the hard way",
    "Beyond the basics of {t}",
)
FIRST = (
    "Ada",
    "Grace",
    "Linus",
    "Guido",
    "Barbara",
    "Ken",
    "Margaret",
    "Alan",
    "Radia",
    "Dennis",
    "Frances",
    "Edsger",
    "Hedy",
    "Tim",
    "Katherine",
    "John",
    "Anita",
    "Donald",
    "Sophie",
    "Yukihiro",
)
LAST = (
    "Lovelace",
    "Hopper",
    "Torvalds",
    "van Rossum",
    "Liskov",
    "Thompson",
    "Hamilton",
    "Kay",
    "Perlman",
    "Ritchie",
    "Allen",
    "Dijkstra",
    "Lamarr",
    "Berners-Lee",
    "Johnson",
)
COMPANIES = ("Initech", "Globex", "Umbrella Labs", "Hooli", "Stark Industries", "Wayne Tech", None)
FORMATS = ("talk",) * 6 + ("lightning", "keynote")
LEVELS = ("beginner", "intermediate", "advanced")


class DemoError(RuntimeError):
    pass


def _send(
    client: httpx.Client,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    response = client.request(method, path, json=body, headers=headers)
    if response.status_code >= 400:
        raise DemoError(f"{method} {path} -> {response.status_code}: {response.text}")
    result: dict[str, Any] = response.json()
    return result


def _talk(rng: random.Random, conference_id: str, speakers: list[dict[str, Any]]) -> dict[str, Any]:
    tag, topics = rng.choice(list(TOPICS.items()))
    topic = rng.choice(topics)
    extra = rng.sample([t for t in TOPICS if t != tag], k=rng.randint(0, 2))
    talk_format = rng.choice(FORMATS)
    return {
        "conference_id": conference_id,
        "title": rng.choice(ANGLES).format(t=topic),
        "abstract": (
            f"What we learned running {topic.lower()} for real: the failure modes, the "
            f"trade-offs, and the patterns that scaled. Aimed at teams adopting {tag}."
        ),
        "speakers": rng.sample(speakers, k=1 if rng.random() < 0.85 else 2),
        "tags": [tag, *extra],
        "level": rng.choice(LEVELS),
        "format": talk_format,
        "duration_minutes": 40 if talk_format in ("talk", "keynote") else None,
    }


def _progress(label: str, done: int, total: int) -> None:
    print(f"\r  {label:<10} {done:>4}/{total}", end="" if done < total else "\n", flush=True)


def _bearer(settings: AuthSettings, subject: str, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(settings, subject=subject, roles=[role])}"}


def load(command_url: str, query_url: str, *, seed: int = 2026) -> int:
    rng = random.Random(seed)
    first_day = date.today() + timedelta(days=60)
    settings = AuthSettings()
    try:
        organizer = _bearer(settings, "demo-organizer", "organizer")
    except CannotIssue as error:
        print(f"The demo needs the local signing key: {error}", file=sys.stderr)
        return 1
    try:
        with httpx.Client(base_url=command_url, timeout=10.0, headers=organizer) as client:
            conference = _send(
                client,
                "POST",
                "/conferences",
                {
                    "name": f"PyCQRS Conf {first_day.year}",
                    "starts_on": first_day.isoformat(),
                    "ends_on": (first_day + timedelta(days=1)).isoformat(),
                    "timezone": "Europe/Berlin",
                    "stages": list(STAGES),
                },
            )
            conference_id = conference["id"]
            print(f"Loading a sample programme into conference {conference_id}")
            speakers = [
                {"name": f"{rng.choice(FIRST)} {last}", "company": rng.choice(COMPANIES)}
                for last in LAST
                for _ in range(3)
            ]
            unique = list({s["name"]: s for s in speakers}.values())
            talk_ids = []
            for index in range(TALK_COUNT):
                talk_ids.append(
                    _send(client, "POST", "/talks", _talk(rng, conference_id, unique))["id"]
                )
                _progress("talks", index + 1, TALK_COUNT)
            accepted = talk_ids[:ACCEPTED_COUNT]
            for index, talk_id in enumerate(talk_ids):
                decision = "accept" if talk_id in accepted else rng.choice(("reject", "withdraw"))
                body = {"reason": "Out of scope this year"} if decision == "reject" else None
                _send(client, "POST", f"/talks/{talk_id}/{decision}", body)
                _progress("reviews", index + 1, TALK_COUNT)
            scheduled = _schedule(client, rng, conference_id, accepted, first_day)
            ratings = 0
            attendees = [_bearer(settings, f"attendee-{n}", "attendee") for n in range(ATTENDEES)]
            for index, talk_id in enumerate(scheduled):
                quality = rng.uniform(2.5, 5.0)
                for attendee in rng.sample(range(ATTENDEES), k=rng.randint(3, 15)):
                    stars = max(1, min(5, round(rng.gauss(quality, 0.8))))
                    _send(
                        client,
                        "PUT",
                        f"/talks/{talk_id}/ratings/attendee-{attendee}",
                        {"stars": stars},
                        headers=attendees[attendee],
                    )
                    ratings += 1
                _progress("ratings", index + 1, len(scheduled))
    except (httpx.HTTPError, DemoError) as error:
        print(
            f"\nThe demo could not be loaded: {error}\nIs `conference up` running at "
            f"{command_url}?",
            file=sys.stderr,
        )
        return 1
    day2 = (first_day + timedelta(days=1)).isoformat()
    print(
        f"Loaded {TALK_COUNT} talks, {len(scheduled)} scheduled, {ratings} ratings.\n"
        f"Open the programme: {query_url}/ (top talks of day 2: "
        f"{query_url}/conferences/{conference_id}?day={day2}#top-talks)\n"
        f"Try: curl '{query_url}/conferences/{conference_id}/top-talks?day={day2}'"
    )
    return 0


def _schedule(
    client: httpx.Client, rng: random.Random, conference_id: str, talks: list[str], first_day: date
) -> list[str]:
    """Fill the stages slot by slot; a slot a speaker cannot take goes to the next talk."""
    slots = [
        (
            stage,
            datetime.fromisoformat(f"{first_day + timedelta(days=day)}T{DAY_STARTS}")
            + timedelta(minutes=SLOT_MINUTES * index),
        )
        for day in range(2)
        for index in range(SLOTS_PER_DAY)
        for stage in STAGES
    ]
    waiting = list(talks)
    rng.shuffle(waiting)
    scheduled: list[str] = []
    for number, (stage, starts_at) in enumerate(slots, start=1):
        for talk_id in waiting:
            response = client.put(
                f"/conferences/{conference_id}/schedule/{talk_id}",
                json={"stage": stage, "starts_at": starts_at.isoformat()},
            )
            if response.status_code == 200:
                waiting.remove(talk_id)
                scheduled.append(talk_id)
                break
            if response.status_code != 409:
                raise DemoError(f"scheduling {talk_id} -> {response.status_code}: {response.text}")
        _progress("schedule", number, len(slots))
    return scheduled
