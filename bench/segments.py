"""Segments at scale on PostgreSQL: the live count the marketer sees while editing a segment.

Runs on the trigger bench's data (bench/triggers.py seeds it with COPY, once: 1,000,000
customers, 500,000 orders, 2,000,000 product views, 400,000 e-mail consents) and adds what its
seed leaves empty and segments read: the customers' sex, and visits (one UPDATE and one COPY, once).

    count       conditions_counts: the editor's answer, members and the part reachable by
                e-mail in one query, for several segments (the three-condition one is the
                target: under 1 s); the median of --repeat runs after one warm-up
    ceiling     a bare COUNT(*) over the active customers in the same run: the least any count
                over all customers can cost on this machine now

    broadcast   with --broadcast: a 200,000-person segment queued into the outbox
                (bench/broadcast_queue.py, which also runs alone)

Prints the numbers and writes bench/results/segments.json (the scenarios a run does not
repeat are kept). The machine is shared, so compare ratios within one run.

    .venv/bin/python bench/segments.py                  # full size (seeds first if needed)
    .venv/bin/python bench/segments.py --scale 0.05     # a smoke run at 5% of the data
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "segments.json"
sys.path.insert(0, str(ROOT))

from bench.harness import bench_environment, ensure_database  # noqa: E402

TRIGGERS_DB = "postgres://postgres@127.0.0.1:5432/vitrina_bench_triggers"

# What the marketer builds: the first is the three-condition segment.
SEGMENTS = {
    "women_in_moscow_spent_5000_in_a_year": {"match": "all", "conditions": [
        {"field": "gender", "values": ["female"]},
        {"field": "city", "values": ["Москва"]},
        {"field": "total_spent", "min": "5000", "days": 365},
    ]},
    "two_cities_or_and_2_orders": {"match": "all", "conditions": [
        {"match": "any", "conditions": [
            {"field": "city", "values": ["Москва"]}, {"field": "city", "values": ["Казань"]}]},
        {"field": "orders_count", "min": 2},
    ]},
    "browsed_last_week_no_order_for_90_days": {"match": "all", "conditions": [
        {"field": "viewed_product", "values": "PRODUCTS", "days": 7},
        {"field": "last_order", "when": "not_within", "days": 90},
    ]},
    "subscribed_aged_25_45_visited_this_month": {"match": "all", "conditions": [
        {"field": "subscribed", "channel": "email"},
        {"field": "age", "min": 25, "max": 45},
        {"field": "last_visit", "when": "within", "days": 30},
    ]},
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=TRIGGERS_DB, help="the trigger bench's database (default)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/10")
    parser.add_argument("--scale", type=float, default=1.0, help="share of the full data set, if seeding")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per segment (default 5)")
    parser.add_argument("--var-dir", default="/tmp/vitrina-bench-segments-var")  # noqa: S108
    parser.add_argument("--output", default=str(RESULTS))
    parser.add_argument("--broadcast", action="store_true",
                        help="also queue a broadcast to a 200,000-person segment (bench/broadcast_queue.py)")
    return parser.parse_args()


def seed_what_segments_read() -> dict[str, float]:
    """The customers' sex and a visit for two in five of them, written once (the trigger bench's seed
    has neither): one UPDATE and one INSERT … SELECT, like COPY never one row at a time."""
    from django.db import connection

    timings = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM customers_user WHERE email LIKE '%@bench.example' "
                       "AND gender <> '')")
        if not cursor.fetchone()[0]:
            started = time.perf_counter()
            cursor.execute("UPDATE customers_user SET gender = CASE WHEN id % 2 = 0 THEN 'female' ELSE 'male' END "
                           "WHERE email LIKE '%@bench.example'")
            # One UPDATE of every row leaves the table twice its size, which a shop's never is.
            cursor.execute("VACUUM FULL customers_user")
            timings["gender"] = time.perf_counter() - started
        cursor.execute("SELECT EXISTS (SELECT 1 FROM customers_visit WHERE landing_page = '/bench-segments')")
        if not cursor.fetchone()[0]:
            started = time.perf_counter()
            cursor.execute(
                "INSERT INTO customers_visit (visitor_id, user_id, started_at, landing_page, referrer, utm_source, "
                "utm_medium, utm_campaign, channel, device) SELECT gen_random_uuid(), id, "
                "now() - (id % 120) * interval '1 day', '/bench-segments', '', '', '', '', 'direct', 'mobile' "
                "FROM customers_user WHERE email LIKE '%@bench.example' AND id % 5 IN (1, 3)")
            timings["visits"] = time.perf_counter() - started
        if timings:
            cursor.execute("VACUUM ANALYZE customers_user")
            cursor.execute("VACUUM ANALYZE customers_visit")
    return timings


def _timed(run, repeat: int) -> tuple[float, object]:
    answer = run()  # warm-up: the first run also reads the pages into the cache
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        answer = run()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), answer


def measure_counts(repeat: int) -> dict:
    from catalog.models import Product
    from marketing.segments.conditions import conditions_clean
    from marketing.segments.selectors import conditions_counts, customers_all

    products = list(Product.objects.filter(slug__startswith="bench-trg-").order_by("pk").values_list("pk", flat=True)[
        :20])
    ceiling, everyone = _timed(lambda: customers_all().count(), repeat)
    print(f"  ceiling: COUNT(*) of {everyone} active customers   {ceiling * 1000:7.0f} ms")
    results = {"ceiling": {"seconds": round(ceiling, 4), "customers": everyone}, "segments": {}}
    for name, tree in SEGMENTS.items():
        tree = json.loads(json.dumps(tree).replace('"PRODUCTS"', json.dumps(products)))
        cleaned = conditions_clean(tree)
        seconds, counts = _timed(lambda cleaned=cleaned: conditions_counts(conditions=cleaned, channel="email"),
                                 repeat)
        results["segments"][name] = {"conditions": tree, "seconds": round(seconds, 4), **counts,
                                     "vs_ceiling": round(seconds / ceiling, 2) if ceiling else None}
        print(f"  {name:<44} {seconds * 1000:7.0f} ms   {counts['members']:>7} members, "
              f"{counts['reachable']:>7} reachable by e-mail   ({seconds / ceiling:.1f}× the bare count)")
    return results


def main() -> None:
    args = parse_args()
    env = bench_environment(args, cache_prefix="vitrina-bench-segments")
    ensure_database(args.database_url)
    Path(args.var_dir).mkdir(parents=True, exist_ok=True)
    # The trigger bench's generator seeds (and migrates) the data; it does nothing when seeded.
    subprocess.run([sys.executable, str(ROOT / "bench" / "triggers.py"), "--seed-only", "--database-url",
                    args.database_url, "--redis-url", args.redis_url, "--scale", str(args.scale),
                    "--var-dir", args.var_dir], env=env, cwd=ROOT, check=True)
    os.environ.update(env)
    import django

    django.setup()
    seeding = seed_what_segments_read()
    if seeding:
        print("  seeded for segments: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in seeding.items()))
    print(f"Live counts (median of {args.repeat} runs after a warm-up):")
    counts = measure_counts(args.repeat)
    output = Path(args.output)
    result = json.loads(output.read_text()) if output.exists() else {}
    if args.broadcast:
        from bench.broadcast_queue import measure_broadcast

        print("A broadcast to a segment of about 200,000 people, into the outbox:")
        result["broadcast_queue"] = {"when": datetime.now(UTC).isoformat(timespec="seconds"), **measure_broadcast()}
        result["targets"] = {**result.get("targets", {}), "broadcast_queue_seconds": 60}
    result.update({
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": platform.node(),
        "cpus": os.cpu_count(), "load_average_1_5_15": [round(x, 1) for x in os.getloadavg()], "count": counts,
        "targets": {**result.get("targets", {}), "count_seconds": 1},
        "note": "Shared 2-core machine, several engineers working at once: timings are noisy.",
    })
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"Written {output}")


if __name__ == "__main__":
    main()
