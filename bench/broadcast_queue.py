"""A broadcast to a 200,000-person segment on PostgreSQL: how long until every recipient is
queued, and until every one is an outbox row. Its numbers go into bench/results/segments.json
beside the segments' live counts (bench/segments.py keeps them).

Runs on the trigger bench's data (seeded with COPY by bench/triggers.py: 1,000,000 customers,
400,000 of them with e-mail consent). The segment is "subscribed to e-mail and registered in
the last 365 days" (about 200,000 people). With the channel's rate set out of the way:

    queue      broadcast_queue: the segment's reachable customers become queued recipients
               (one INSERT per batch of 5,000, each batch committed with its cursor)
    write      broadcasts_send until nobody is queued: consent, holdout and frequency cap
               checked per batch of 500, each message rendered (the layout once, the links per
               message) and written to the outbox with its campaign row, the recipient marked
    ceiling    bare OutboundMessage rows of the same size written in bulk by this process (a
               sample of 20,000): the most this database takes in the same run

Sending is not measured here (bench/triggers.py measures the outbox's send rate): the messages'
after-commit send tasks are counted instead of queued to a broker. The broadcast's rows are
deleted afterwards, so runs repeat. Target: 200,000 recipients into the outbox in under 60 s.

    .venv/bin/python bench/broadcast_queue.py --database-url postgres://postgres@127.0.0.1:5432/vitrina_bench_h14b
"""

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "segments.json"
sys.path.insert(0, str(ROOT))

from bench.harness import bench_environment, ensure_database  # noqa: E402

SEGMENT = {"match": "all", "conditions": [
    {"field": "subscribed", "channel": "email"},
    {"field": "registered", "days": 365},
]}
CEILING_SAMPLE = 20_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/vitrina_bench_triggers")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/10")
    parser.add_argument("--scale", type=float, default=1.0, help="share of the full data set, if seeding")
    parser.add_argument("--var-dir", default="/tmp/vitrina-bench-segments-var")  # noqa: S108
    parser.add_argument("--output", default=str(RESULTS))
    return parser.parse_args()


def measure_broadcast() -> dict:
    """The scenario itself, in a process where Django is set up on the bench database."""
    from django.db import connection
    from django.utils import timezone

    from marketing.broadcasts import services
    from marketing.broadcasts.models import Broadcast, ChannelThrottle
    from marketing.campaigns.models import CampaignEntry, CampaignText
    from marketing.models import OutboundMessage
    from marketing.segments.models import Segment
    from marketing.segments.services import segment_save

    scheduled = []
    services.messages_send_schedule = lambda *, message_ids: scheduled.extend(message_ids) or True
    segment = Segment.objects.filter(name="Bench: broadcast audience").first()
    segment = segment_save(name="Bench: broadcast audience", conditions=SEGMENT, segment=segment)
    ChannelThrottle.objects.update_or_create(channel="email", defaults={"per_minute": 10**9})
    broadcast = Broadcast.objects.create(name=f"Bench broadcast {time.time():.0f}", segment=segment)
    for language, subject, body in (
        ("ru", "Распродажа до −50%", "Здравствуйте!\n\nДо воскресенья всё со скидкой: {{ link }}"),
        ("en", "Sale: up to 50% off", "Hello!\n\nEverything is on sale until Sunday: {{ link }}"),
    ):
        CampaignText.objects.create(campaign=broadcast, step=1, language=language, subject=subject, body=body)
    services.broadcast_schedule(broadcast=broadcast)
    Broadcast.objects.filter(pk=broadcast.pk).update(status=Broadcast.Status.SENDING)

    started = time.perf_counter()
    queued = services.broadcast_queue(broadcast=broadcast)
    queue_seconds = time.perf_counter() - started
    print(f"  queue: {queued} recipients in {queue_seconds:.2f} s")
    started = time.perf_counter()
    outcomes = services.broadcasts_send()
    write_seconds = time.perf_counter() - started
    written = OutboundMessage.objects.filter(reference=f"campaign:{broadcast.pk}").count()
    left = CampaignEntry.objects.filter(campaign_id=broadcast.pk, status=CampaignEntry.Status.QUEUED).count()
    total = queue_seconds + write_seconds
    print(f"  write: {written} outbox rows in {write_seconds:.2f} s ({written / write_seconds:.0f} rows/s); "
          f"outcomes {dict(outcomes)}; still queued {left}")
    print(f"  segment → outbox: {total:.1f} s for {written} recipients (target 60 s)")

    sample = OutboundMessage.objects.filter(reference=f"campaign:{broadcast.pk}").first()
    rows = [OutboundMessage(channel="email", kind="broadcast", recipient=f"ceiling{n}@bench.example", language="ru",
                            subject=sample.subject, body=sample.body, html_body=sample.html_body,
                            idempotency_key=f"bench-ceiling:{time.time()}:{n}", due_at=timezone.now(),
                            status="cancelled", reference="bench-ceiling") for n in range(CEILING_SAMPLE)]
    started = time.perf_counter()
    for start in range(0, len(rows), 500):
        OutboundMessage.objects.bulk_create(rows[start:start + 500])
    ceiling = CEILING_SAMPLE / (time.perf_counter() - started)
    rate = written / write_seconds if write_seconds else 0.0
    print(f"  ceiling: {ceiling:.0f} bare rows/s of the same size; writing runs at {rate / ceiling:.0%} of it")

    # Leave the bench database as it was: the broadcast and its rows go.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM marketing_campaignmessage WHERE campaign_id = %s", [broadcast.pk])
        cursor.execute("DELETE FROM marketing_campaignentry WHERE campaign_id = %s", [broadcast.pk])
        cursor.execute("DELETE FROM marketing_outboundmessage WHERE reference IN (%s, 'bench-ceiling')",
                       [f"campaign:{broadcast.pk}"])
    broadcast.delete()
    return {
        "segment": SEGMENT, "recipients_queued": queued, "outbox_rows": written, "still_queued": left,
        "queue_seconds": round(queue_seconds, 2), "write_seconds": round(write_seconds, 2),
        "total_seconds": round(total, 2), "rows_per_second": round(rate, 1),
        "ceiling_rows_per_second": round(ceiling, 1), "share_of_ceiling": round(rate / ceiling, 3),
        "send_tasks_after_commit": len(scheduled), "outcomes": dict(outcomes), "target_seconds": 60,
    }


def results_write(output: Path, broadcast: dict) -> None:
    """Add the scenario to bench/results/segments.json, keeping the other scenarios there."""
    result = json.loads(output.read_text()) if output.exists() else {}
    result["broadcast_queue"] = {"when": datetime.now(UTC).isoformat(timespec="seconds"), **broadcast}
    result["targets"] = {**result.get("targets", {}), "broadcast_queue_seconds": 60}
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"Written {output}")


def main() -> None:
    args = parse_args()
    env = bench_environment(args, cache_prefix="vitrina-bench-broadcast")
    ensure_database(args.database_url)
    Path(args.var_dir).mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(ROOT / "bench" / "triggers.py"), "--seed-only", "--database-url",
                    args.database_url, "--redis-url", args.redis_url, "--scale", str(args.scale),
                    "--var-dir", args.var_dir], env=env, cwd=ROOT, check=True)
    os.environ.update(env)
    import django

    django.setup()
    print("A broadcast to a segment of about 200,000 people, into the outbox:")
    results_write(Path(args.output), measure_broadcast())


if __name__ == "__main__":
    main()
