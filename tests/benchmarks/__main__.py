"""``make bench``: list-page latency and CSV export throughput at national scale.

For each database (SQLite always; PostgreSQL when ``PARS_BENCH_POSTGRES_URL`` is set) it
builds a fresh database, writes ``PARS_BENCH_PROVIDERS`` providers and
``PARS_BENCH_ACTIVITIES`` activities with ``flask pars generate``'s generator, then prints:

* activity list page p50/p95 for staff unfiltered, staff filtered and a provider contact;
* CSV export rows per second and peak memory at 100,000 and at all rows, next to the raw
  database cursor-to-CSV rate of the same rows (the reference);
* sign-in figures (:mod:`tests.benchmarks.signin`). ``PARS_BENCH_ONLY=signin`` runs only
  those;
* batch-upload figures (:mod:`tests.benchmarks.uploads`): validate, preview and commit of
  ``PARS_BENCH_UPLOAD_ROWS`` (default 10,000 and 100,000) row CSV and XLSX files, next to
  the raw insert rate of the same rows. ``PARS_BENCH_ONLY=uploads`` runs only those.
* accreditation review figures (:mod:`tests.benchmarks.reviews`); ``=reviews`` runs only those.

A ``postgresql://`` URL is pointed at the psycopg 3 driver, as ``DATABASE_URL`` is.

Targets (README): list p95 <= 300 ms; export at least half the raw rate, with memory that
does not grow with the number of rows; a 10,000-row CSV validated, previewed and committed
in <= 3 s on SQLite, the commit within 3x of the raw insert rate, bounded memory.
"""

from __future__ import annotations

import os
import sys
import tempfile

from tests.benchmarks.harness import run_database
from tests.benchmarks.reviews import run_reviews
from tests.benchmarks.signin import run_signin
from tests.benchmarks.uploads import run_uploads

ONLY = ("signin", "uploads", "reviews")


def main() -> int:
    providers = int(os.environ.get("PARS_BENCH_PROVIDERS", "1700"))
    activities = int(os.environ.get("PARS_BENCH_ACTIVITIES", "1000000"))
    only = os.environ.get("PARS_BENCH_ONLY") or None
    if only is not None and only not in ONLY:
        print(f"PARS_BENCH_ONLY must be one of {', '.join(ONLY)} (or unset for everything).")
        return 2
    targets: list[tuple[str, str | None]] = [("SQLite", None)]
    if os.environ.get("PARS_BENCH_POSTGRES_URL"):
        targets.append(("PostgreSQL", psycopg_url(os.environ["PARS_BENCH_POSTGRES_URL"])))
    with tempfile.TemporaryDirectory(prefix="pars-bench-") as tmp:
        for name, url in targets:
            if only is None:
                run_database(name, url or f"sqlite:///{tmp}/bench.db", providers, activities)
            if only in (None, "signin"):
                run_signin(name, url or f"sqlite:///{tmp}/signin.db")
            if only in (None, "uploads"):
                run_uploads(name, url or f"sqlite:///{tmp}/uploads.db")
            if only in (None, "reviews"):
                run_reviews(name, url or f"sqlite:///{tmp}/reviews.db")
    return 0


def psycopg_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` URLs with the psycopg 3 driver (config.py)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


if __name__ == "__main__":
    sys.exit(main())
