"""The API contract under a fuzzer: schemathesis' CLI against a live shop, as a guest, a customer
and a manager.

    .venv/bin/python bench/api_fuzz.py [--max-examples 8] [--database-url ...]

Makes a fresh PostgreSQL database with a small demo shop (seed_demo), serves it with gunicorn and
runs `st run` over /api/schema/ once per role: a guest (no credentials; the guest cart lives in a
session cookie), a demo customer and a demo manager (each with the API token /api/v1/auth/token/
gives them). Each operation gets a few generated requests, valid and invalid; the checks are that
nothing answers 5xx, every answer matches its documented schema and every status code is
documented. Exit status 1 when any role's run finds a failure; schemathesis prints each one with a
curl command that reproduces it.

Redis is not needed (the cache is per process and the broker the file system's): this is about
what the API answers, not about what happens after.
"""

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.faults.common import cleanup, fresh_database, write_results  # noqa: E402
from bench.harness import ROOT, Server, bench_environment, manage  # noqa: E402

ROLE_TOKENS = """
import json
import re
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from customers.models import User
from customers.roles import MANAGER
from orders.models import Order
from catalog.models import Product
order = Order.objects.exclude(user=None).order_by("pk").first()
product = Product.objects.filter(is_active=True).order_by("pk").first()
manager = User.objects.create_user(email="fuzz-manager@example.com", password=None, is_staff=True)
manager.groups.add(Group.objects.get(name=MANAGER))
print(json.dumps({"customer": Token.objects.get_or_create(user=order.user)[0].key,
                  "manager": Token.objects.get_or_create(user=manager)[0].key,
                  "parameters": {"path.number": order.number, "path.key": product.slug, "path.sku": product.sku,
                                 "path.name": "kpi"}}))
"""
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance"


def fuzz(base: str, role: str, *, headers: list[str], args: argparse.Namespace, config: Path) -> dict:
    command = [
        str(Path(sys.executable).with_name("st")), "--config-file", str(config),
        "run", base + "/api/schema/",
        "--checks", CHECKS,
        "--max-examples", str(args.max_examples),
        "--phases", args.phases,
        "--seed", str(args.seed),
        "--workers", str(args.st_workers),
        "--request-timeout", "30",
        "--suppress-health-check", "all",
        "--no-color",
    ]
    for header in headers:
        command += ["--header", header]
    print(f"== {role}: st run, {args.max_examples} examples per operation", flush=True)
    started = time.monotonic()
    outcome = subprocess.run(command, cwd=ROOT, check=False, capture_output=True, text=True)
    print(outcome.stdout, outcome.stderr, sep="\n", flush=True)
    seconds = round(time.monotonic() - started, 1)
    generated = re.search(r"(\d+) generated", outcome.stdout)
    print(f"== {role}: {'passed' if outcome.returncode == 0 else 'FAILED'} in {seconds} s", flush=True)
    return {"role": role, "passed": outcome.returncode == 0, "seconds": seconds,
            "requests": int(generated.group(1)) if generated else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/vitrina_fuzz",
                        help="dropped and created afresh")
    parser.add_argument("--max-examples", type=int, default=8, help="generated requests per operation and phase")
    parser.add_argument("--phases", default="examples,coverage,fuzzing")
    parser.add_argument("--seed", type=int, default=1, help="same seed, same requests")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--st-workers", type=int, default=2, help="schemathesis' concurrent requests")
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="vitrina-fuzz-"))
    args.var_dir, args.redis_url = str(var_dir), ""
    env = bench_environment(args, cache_prefix="vitrina-fuzz")
    env.pop("REDIS_URL", None)  # a per-process cache and the file-system broker (see the docstring)
    # The fuzzer is one client sending hundreds of requests a minute; the throttles have their own tests.
    env.update({"API_THROTTLE_ANON": "100000/min", "API_THROTTLE_USER": "100000/min", "LOG_LEVEL": "ERROR"})

    started = time.monotonic()
    runs = _run(args, env, var_dir)
    if all(run["passed"] for run in runs):
        cleanup(var_dir)  # the static files, the run's settings and gunicorn's (empty) error log
    else:
        print(f"gunicorn's error log, with the server's tracebacks: {var_dir / 'gunicorn.log'}")

    figures = {"max_examples": args.max_examples, "phases": args.phases, "checks": CHECKS, "runs": runs,
               "seconds": round(time.monotonic() - started, 1)}
    print(json.dumps(figures, indent=2))
    write_results("api_fuzz", figures)
    return 0 if all(run["passed"] for run in runs) else 1


def _run(args: argparse.Namespace, env: dict[str, str], var_dir: Path) -> list[dict]:
    """A fresh shop served by gunicorn, fuzzed once per role; what each role's run found."""
    fresh_database(env, args.database_url)
    manage(env, "collectstatic", "--noinput", "-v", "0")  # the 404 page's stylesheet, as in production
    manage(env, "seed_demo", "--products", "30", "--customers", "3", "--orders", "15", "-v", "0")
    tokens = _role_tokens(env)
    # Path parameters name things that exist (the customer's order, a product on sale, a report),
    # so that operations reach their logic instead of answering 404 to every generated name.
    (var_dir / "schemathesis.toml").write_text(
        "[parameters]\n" + "".join(f'"{name}" = "{value}"\n' for name, value in tokens["parameters"].items()))

    runs = []
    with Server(argparse.Namespace(workers=args.workers, var_dir=str(var_dir)), env) as server:
        roles = {
            "guest": [],
            "customer": [f"Authorization: Token {tokens['customer']}"],
            "manager": [f"Authorization: Token {tokens['manager']}"],
        }
        for role, headers in roles.items():
            runs.append(fuzz(server.base, role, headers=headers, args=args, config=var_dir / "schemathesis.toml"))
    return runs


def _role_tokens(env: dict[str, str]) -> dict:
    """A customer with an order of their own and a manager (the Manager role), each with an API token,
    and the names of things that exist, for the path parameters."""
    found = subprocess.run([sys.executable, "manage.py", "shell", "-c", ROLE_TOKENS], env=env, cwd=ROOT,
                           capture_output=True, text=True, check=True)
    return json.loads(found.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.exit(main())
