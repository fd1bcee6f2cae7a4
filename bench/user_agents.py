"""What telling bots and devices costs a request: customers.activity.is_bot (crawlerdetect) runs on
every tracked request, device_from_user_agent (ua-parser) once per new visit; both keep their
answers per user agent. Prints microseconds per call for a user agent seen for the first time
and for one seen before, and writes bench/results/user_agents.json.

    .venv/bin/python bench/user_agents.py
"""

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from customers.activity import device_from_user_agent, is_bot  # noqa: E402

CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/126.0.{}.0 Safari/537.36")
CALLS = 2000


def microseconds(function, user_agents) -> float:
    began = time.perf_counter()
    for user_agent in user_agents:
        function(user_agent)
    return round((time.perf_counter() - began) / len(user_agents) * 1e6, 2)


def main() -> None:
    results = {"load_average_at_start": os.getloadavg()}
    for name, function in (("is_bot", is_bot), ("device_from_user_agent", device_from_user_agent)):
        function("warm-up: the libraries compile their rules once per process")
        function.cache_clear()
        first = microseconds(function, [CHROME.format(n) for n in range(CALLS)])
        again = microseconds(function, [CHROME.format(n % 100) for n in range(CALLS)])
        results[name] = {"first_time_us": first, "seen_before_us": again}
        print(f"{name:<24} first time {first:>8.2f} µs   seen before {again:>6.2f} µs")
    output = ROOT / "bench" / "results" / "user_agents.json"
    output.write_text(json.dumps({"measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                  **results}, indent=2) + "\n")
    print(f"Wrote {output.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
