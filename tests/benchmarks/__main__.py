"""``make bench``: list-page latency and CSV export throughput at national scale.

For each database (SQLite always; PostgreSQL when ``PARS_BENCH_POSTGRES_URL`` is set) it
builds a fresh database, writes ``PARS_BENCH_PROVIDERS`` providers and
``PARS_BENCH_ACTIVITIES`` activities with ``flask pars generate``'s generator, then prints:

* activity list page p50/p95 for staff unfiltered, staff filtered and a provider contact;
* CSV export rows per second and peak memory at 100,000 and at all rows, next to the raw
  database cursor-to-CSV rate of the same rows (the reference);
* sign-in figures (:mod:`tests.benchmarks.signin`). ``PARS_BENCH_ONLY=signin`` runs only
  those.

Targets (README): list p95 <= 300 ms; export at least half the raw rate, with memory that
does not grow with the number of rows.
"""

from __future__ import annotations

import os
import sys
import tempfile

from tests.benchmarks.harness import run_database
from tests.benchmarks.signin import run_signin


def main() -> int:
    providers = int(os.environ.get("PARS_BENCH_PROVIDERS", "1700"))
    activities = int(os.environ.get("PARS_BENCH_ACTIVITIES", "1000000"))
    targets = [("SQLite", None)]
    if os.environ.get("PARS_BENCH_POSTGRES_URL"):
        targets.append(("PostgreSQL", os.environ["PARS_BENCH_POSTGRES_URL"]))
    with tempfile.TemporaryDirectory(prefix="pars-bench-") as tmp:
        for name, url in targets:
            if os.environ.get("PARS_BENCH_ONLY") != "signin":
                run_database(name, url or f"sqlite:///{tmp}/bench.db", providers, activities)
            run_signin(name, url or f"sqlite:///{tmp}/signin.db")
    return 0


if __name__ == "__main__":
    sys.exit(main())
