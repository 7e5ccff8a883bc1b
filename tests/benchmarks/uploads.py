"""Batch-upload figures for ``make bench``: validate, preview and commit of activity files.

For each size in ``PARS_BENCH_UPLOAD_ROWS`` (default "10000,100000") it builds realistic,
valid activity files (every column of the PARS template; Draft, Active, Ready to Close and
Closed activities of an ACCME-accredited provider, as of :data:`TODAY`) as CSV and as XLSX,
and, for a fresh provider per file, times as that provider's contact:

* dry run: :func:`app.services.uploads.check_only` (reads and checks every row against the
  stored activities, stores nothing: ``flask pars import --dry-run``);
* validate+preview: :func:`app.services.uploads.receive`, what the upload page does in one
  request (reads and checks every row, compares it with the stored activities, stores the
  report, the preview and the plan; the read/check and db/write split tells validation
  from preview);
* commit: :func:`app.services.uploads.confirm` (everything in one transaction);
* a re-upload of the same file, checked only (every row unchanged).

The 3 s target covers the upload page's validate+preview and the commit.

Each step prints its time, rows per second and peak memory: the resident set size above
the step's start, sampled every 10 ms (``/proc/self/statm``; freed memory is handed back
to the system before each step, so the growth is the step's own).

The reference is the raw insert rate of the same activity rows (``activity`` table only,
values already in driver form) in one transaction, rolled back afterwards: sqlite3
``executemany`` on SQLite, ``COPY ... FROM STDIN`` through psycopg 3 on PostgreSQL.

Targets (printed next to the figures): a 10,000-row CSV validated, previewed and committed
in at most 3 s in total on SQLite; the commit at least a third of the raw insert rate;
memory that does not grow with the number of rows.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import datetime as dt
import gc
import os
import random
import tempfile
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from flask_migrate import upgrade
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import insert, select

from app.extensions import db
from app.models import Provider, ProviderContact, Upload, UploadProblem, User
from app.models.base import TextList
from app.schema import vocabularies as v
from app.schema.fields import ACTIVITY_FIELDS, PROVIDER_COLUMN, Kind, file_columns
from app.schema.repeated import REPEATED_PARTS
from app.schema.values import Support, format_value
from app.security import roles
from app.security.permissions import sync_roles
from app.services import reference_data as ref
from app.services import uploads
from app.services.bulk_rows import ACTIVITY, REFERENCE_DATE, ActivityMaker, ProviderInfo
from app.services.synthetic import FORMAT_WEIGHTS, YEAR_WEIGHTS, YEARS, provider_row
from app.views import MENU
from config import Config
from tests.benchmarks.harness import _user, bench_app, peak_rss, prepare_schema

#: "Today" of every upload: the generated statuses are as of this date.
TODAY = REFERENCE_DATE
DEFAULT_SIZES = "10000,100000"
FORMATS = ("csv", "xlsx")
TARGET_TOTAL_S = 3.0  # a 10,000-row CSV, all three steps, on SQLite
TARGET_TOTAL_ROWS = 10_000
TARGET_RAW_FACTOR = 3  # the commit within 3x of the raw insert rate
SMOKE_ROWS = 20
SEED = 2026
MB = 1024 * 1024
CHUNK = 1024 * 1024
DEFLATED = zipfile.ZIP_DEFLATED
T = TypeVar("T")


# --- the activities and their files --------------------------------------------------------


@dataclass
class Planned:
    """Activity rows (as the ``activity`` table holds them, ``id`` numbering them from 1)
    with their commercial support sources and MOC registrations, by activity id."""

    rows: list[dict[str, Any]]
    supports: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    mocs: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


def planned_activities(count: int, seed: int = SEED) -> Planned:
    """``count`` realistic activities of one ACCME-accredited provider, with the formats,
    years and status mix of the synthetic data, valid as of :data:`TODAY`."""
    rng = random.Random(seed)
    info = ProviderInfo(
        id=0,
        accme_id="0000000",
        kind=v.ACCME_KIND,
        state="IL",
        city="Chicago",
        domain="bench-cme.example.org",
        partners=ref.partner_names(rng, "IL", "Chicago"),
        prefix="CME-",
    )
    maker = ActivityMaker(rng, moc_share=0.085, rems_share=0.01)
    years = rng.choices(YEARS, weights=YEAR_WEIGHTS, k=count)
    formats = rng.choices(list(FORMAT_WEIGHTS), weights=list(FORMAT_WEIGHTS.values()), k=count)
    for n in range(count):
        maker.add(n + 1, info, years[n], formats[n])
    planned = Planned(maker.batch.activities)
    supports: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for item in maker.batch.supports:
        supports[item["activity_id"]].append(item)
    mocs: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for item in maker.batch.mocs:
        mocs[item["activity_id"]].append(item)
    planned.supports, planned.mocs = dict(supports), dict(mocs)
    for row in planned.rows:
        _closing_fixes(row, planned.mocs.get(row["id"], []))
    return planned


def _closing_fixes(row: dict[str, Any], mocs: list[dict[str, Any]]) -> None:
    """What the generator leaves out but closing requires: an activity registered for MOC
    gives the Fee, Registration and Activity URL learners see (lifecycle._closing_needs),
    and its MOC points are not above its credits (ABP points are whole, at least 1)."""
    if not mocs:
        return
    if row["status"] == v.CLOSED:
        row["fee"] = row["fee"] or "Yes"
        row["registration"] = row["registration"] or "Open to all"
        row["activity_url"] = row["activity_url"] or (
            f"https://bench-cme.example.org/cme/{row['provider_activity_id'].lower()}"
        )
    for moc in mocs:
        if row["credits"] is not None and moc["points"] > row["credits"]:
            row["credits"] = Decimal(int(moc["points"]))


_LABEL_FIELDS = {spec.label: spec for spec in ACTIVITY_FIELDS}
_MOC_COLUMNS = {
    part.spec.label: (part.key, part.attribute or "", part.spec.kind)
    for part in REPEATED_PARTS
    if part.group == "moc"
}


def file_cells(planned: Planned, accme_id: str, *, typed: bool) -> Iterator[list[Any]]:
    """The header, then one list of cells per activity in :func:`file_columns` order: text
    for a CSV file; for a workbook (``typed``) numbers and dates as typed cells, blanks
    as None (no cell)."""
    columns = file_columns()
    yield columns
    for row in planned.rows:
        boards = {m["board"]: m for m in planned.mocs.get(row["id"], [])}
        supports = [
            Support(s["source"], s["kind"], s["amount"])
            for s in planned.supports.get(row["id"], [])
        ]
        cells: list[Any] = []
        for column in columns:
            value, kind = _cell_value(column, row, boards, supports, accme_id)
            if typed and kind is Kind.DATE:
                cells.append(value)
                continue
            text = format_value(kind, value)
            cells.append(None if typed and text == "" else text)
        yield cells


def _cell_value(
    column: str,
    row: dict[str, Any],
    boards: dict[str, dict[str, Any]],
    supports: list[Support],
    accme_id: str,
) -> tuple[Any, Kind]:
    if column == PROVIDER_COLUMN:
        return accme_id, Kind.TEXT
    spec = _LABEL_FIELDS.get(column)
    if spec is not None:
        if spec.name == "commercial_supports":
            return supports, spec.kind
        if spec.name == "accme_activity_id":
            return None, spec.kind
        return row[spec.name], spec.kind
    moc = _MOC_COLUMNS.get(column)
    if moc is not None:
        board, attribute, kind = moc
        return boards.get(board, {}).get(attribute), kind
    return None, Kind.TEXT  # JA credits and learners by profession: not for this provider


def write_csv(path: Path, planned: Planned, accme_id: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(file_cells(planned, accme_id, typed=False))


def write_xlsx(path: Path, planned: Planned, accme_id: str) -> None:
    """A workbook streamed by openpyxl's write-only mode, then given the ``<dimension>``
    element that Excel writes at the top of every sheet (write-only mode leaves it out,
    and openpyxl's read-only mode then scans the whole sheet for it on every open)."""
    draft = path.with_suffix(".draft.xlsx")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Activities")
    for cells in file_cells(planned, accme_id, typed=True):
        sheet.append(cells)
    book.save(draft)
    last = f"{get_column_letter(len(file_columns()))}{len(planned.rows) + 1}"
    _add_dimension(draft, path, f'<dimension ref="A1:{last}"/>')
    draft.unlink()


def _add_dimension(source: Path, target: Path, element: str) -> None:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", DEFLATED) as new:
        for entry in old.infolist():
            with old.open(entry) as reader, new.open(entry.filename, "w") as writer:
                first = reader.read(CHUNK)
                if entry.filename.startswith("xl/worksheets/"):
                    first = first.replace(b"</sheetPr>", b"</sheetPr>" + element.encode(), 1)
                writer.write(first)
                while chunk := reader.read(CHUNK):
                    writer.write(chunk)


def write_file(directory: Path, kind: str, planned: Planned, accme_id: str) -> Path:
    path = directory / f"activities-{accme_id}-{len(planned.rows)}.{kind}"
    (write_csv if kind == "csv" else write_xlsx)(path, planned, accme_id)
    return path


# --- providers and their contacts -----------------------------------------------------------


def add_provider(session: Any, number: int) -> tuple[Provider, User]:
    """An ACCME-accredited provider (ACCME Provider ID 09xxxxx) and its Primary Contact,
    committed."""
    rng = random.Random(number)
    accreditors = {code: a.id for code, a in ref.ensure_accreditors(session).items()}
    row = provider_row(
        rng,
        accme_id=f"{900_000 + number:07d}",
        kind=v.ACCME_KIND,
        accreditor_ids=accreditors,
        used_names=set(session.scalars(select(Provider.name))),
    )
    provider_id = session.scalar(insert(Provider).returning(Provider.id), row)
    user = _user(f"bench.upload.{number}@example.org", roles.CONTACT)
    session.add(
        ProviderContact(provider_id=provider_id, user_id=user.id, contact_type=v.PRIMARY_CONTACT)
    )
    session.commit()
    provider = session.get(Provider, provider_id)
    assert provider is not None
    return provider, user


# --- measuring ------------------------------------------------------------------------------


@dataclass
class Step:
    seconds: float
    cpu_seconds: float
    peak_mb: float
    rows: int
    #: The pass's own split (batch_plan.run_pass timings): read, check, compare, write.
    split: dict[str, float] = field(default_factory=dict)

    @property
    def split_text(self) -> str:
        parts = ("read", "check", "compare", "write")
        return "/".join(f"{self.split.get(name, 0.0):.1f}" for name in parts)

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def measured(rows: int, work: Callable[[], T]) -> tuple[Step, T]:
    """Run ``work``: its time (wall clock and this process's CPU) and its peak memory
    above the start (freed memory returned to the system first, so the growth is the
    step's own)."""
    gc.collect()
    _trim()
    with pass_timings() as split, peak_rss() as peak:
        started, cpu = time.perf_counter(), time.process_time()
        result = work()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return Step(elapsed, cpu, peak(), rows, dict(split)), result


@contextmanager
def pass_timings() -> Iterator[dict[str, float]]:
    """The timings of the last pass over a file that the block runs (``receive`` and
    ``confirm`` keep their pass's Outcome to themselves, so ``run_pass`` is wrapped)."""
    seen: dict[str, float] = {}
    original = uploads.run_pass

    def recording(*args: Any, **kwargs: Any) -> Any:
        outcome = original(*args, **kwargs)
        seen.clear()
        seen.update(outcome.timings)
        return outcome

    uploads.run_pass = recording  # type: ignore[assignment]
    try:
        yield seen
    finally:
        uploads.run_pass = original  # type: ignore[assignment]


def _trim() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class BenchError(Exception):
    """A step did not do what it should (a bench file with errors, a wrong count)."""


def upload_sizes() -> list[int]:
    text = os.environ.get("PARS_BENCH_UPLOAD_ROWS") or DEFAULT_SIZES
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def run_uploads(name: str, url: str) -> None:
    """Build one database, then measure every file size and format; print the figures."""
    sizes = upload_sizes()
    print(f"\n=== {name}: batch upload of activities ({', '.join(f'{n:,}' for n in sizes)} rows)",
          flush=True)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="pars-bench-uploads-") as tmp:
        app = bench_app(
            url,
            PARS_UPLOAD_DIR=f"{tmp}/stored",
            PARS_UPLOAD_MAX_ROWS=max([100_000, *sizes]),
            MAX_CONTENT_LENGTH=500 * MB,
            PARS_UPLOAD_MAX_XLSX_BYTES=1024 * MB,
        )
        with app.app_context():
            prepare_schema(url)
            upgrade(directory=str(app.extensions["migrate"].directory))
            sync_roles(app.appbuilder, MENU)
            bench = _UploadBench(Path(tmp), uploads.settings_from(app.config), url)
            try:
                bench.smoke()
                for size in sizes:
                    bench.measure_size(size)
                bench.summary()
            except BenchError as failed:
                print(f"  STOPPED: {failed}", flush=True)
            db.session.remove()
            db.engine.dispose()


class _UploadBench:
    def __init__(self, tmp: Path, settings: uploads.UploadSettings, url: str) -> None:
        self.tmp = tmp
        self.settings = settings
        self.postgres = url.startswith("postgresql")
        self.providers = 0
        #: (size, format) -> {step name: Step}
        self.results: dict[tuple[int, str], dict[str, Step]] = {}
        self.raw: dict[int, float] = {}
        self.scratch: Provider | None = None

    def _provider(self) -> tuple[Provider, User]:
        self.providers += 1
        return add_provider(db.session, self.providers)

    def smoke(self) -> None:
        """A small file of each format must check with zero errors and all rows new."""
        planned = planned_activities(SMOKE_ROWS, seed=SEED + 1)
        provider, actor = self._provider()
        for kind in FORMATS:
            path = write_file(self.tmp, kind, planned, provider.accme_id)
            outcome = uploads.check_only(
                db.session, actor, provider, path, path.name, self.settings, today=TODAY
            )
            if outcome.errors or outcome.created != SMOKE_ROWS:
                shown = "\n    ".join(p.message for p in outcome.problems[:10])
                raise BenchError(
                    f"the {SMOKE_ROWS}-row {kind} bench file does not check clean: "
                    f"{outcome.errors} errors, {outcome.created} new\n    {shown}"
                )
        print(
            f"actor: the provider's contact; today {TODAY:%m/%d/%Y}; a fresh provider per file"
            " (all rows new), every template column\n"
            "peak MB: resident memory above the step's start, sampled every 10 ms\n"
            "read/check/db/write: the pass's own split in s (reader; cell parsing and rules;"
            " queries for stored activities; preview records or activity writes)",
            flush=True,
        )

    def measure_size(self, size: int) -> None:
        started = time.perf_counter()
        planned = planned_activities(size)
        statuses = _status_mix(planned)
        print(
            f"\n{size:,} activities ({statuses}), built in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        print(
            f"  {'file':<13} {'MB':>6} | {'step':<18} {'s':>7} {'cpu s':>7} {'rows/s':>9}"
            f" {'peak MB':>8} {'read/check/db/write':>20} | note",
            flush=True,
        )
        for kind in FORMATS:
            self._measure_file(size, kind, planned)
        raw = self._raw_rate(planned)
        self.raw[size] = raw
        how = "psycopg 3 COPY" if self.postgres else "sqlite3 executemany"
        line = f"  raw insert of the same activity rows ({how}, one transaction): {raw:,.0f} rows/s"
        ratios = []
        for kind in FORMATS:
            commit = self.results[(size, kind)]["commit"]
            ratios.append(f"{kind.upper()} {commit.rate / raw:.2f}")
        print(line, flush=True)
        print(
            f"  commit rate / raw rate: {', '.join(ratios)} "
            f"(target >= {1 / TARGET_RAW_FACTOR:.2f}: within {TARGET_RAW_FACTOR}x)",
            flush=True,
        )

    def _measure_file(self, size: int, kind: str, planned: Planned) -> None:
        provider, actor = self._provider()
        path = write_file(self.tmp, kind, planned, provider.accme_id)
        megabytes = path.stat().st_size / MB
        steps: dict[str, Step] = {}
        session, settings = db.session, self.settings

        def validate() -> Any:
            return uploads.check_only(
                session, actor, provider, path, path.name, settings, today=TODAY
            )

        steps["dry run"], outcome = measured(size, validate)
        _expect(outcome.errors == 0 and outcome.created == size, f"{kind} validate", outcome)
        data = [path.read_bytes()]  # the request's body, before the step
        steps["validate+preview"], upload = measured(
            size,
            lambda: uploads.receive(
                session, actor, provider.id, path.name, data[0], settings, today=TODAY
            ),
        )
        data.clear()
        _expect_upload(upload, uploads.READY, size, f"{kind} preview")
        upload_id = upload.id
        steps["commit"], upload = measured(
            size, lambda: uploads.confirm(session, actor, upload_id, settings, today=TODAY)
        )
        _expect_upload(upload, uploads.COMMITTED, size, f"{kind} commit")
        steps["re-upload dry run"], again = measured(size, validate)
        _expect(again.errors == 0 and again.unchanged == size, f"{kind} re-upload", again)
        self.results[(size, kind)] = steps
        total = sum(steps[s].seconds for s in ("validate+preview", "commit"))
        label = f"{kind.upper()} {size:,}"
        for index, (step, figures) in enumerate(steps.items()):
            head = f"{label:<13} {megabytes:6.1f}" if index == 0 else " " * 20
            note = ""
            if step == "dry run":
                note = "check only (flask pars import --dry-run); " + default_limits_note(
                    kind, path, size
                )
            elif step == "validate+preview":
                note = "the upload page: read, check, compare, store report and plan"
            elif step == "commit":
                note = f"validate + preview + commit {total:.2f} s"
                if kind == "csv" and size == TARGET_TOTAL_ROWS and not self.postgres:
                    met = "met" if total <= TARGET_TOTAL_S else "NOT met"
                    note += f" (target <= {TARGET_TOTAL_S:.0f} s: {met})"
            elif step == "re-upload dry run":
                note = f"{again.unchanged:,} unchanged"
            print(
                f"  {head} | {step:<18} {figures.seconds:7.2f} {figures.cpu_seconds:7.2f} "
                f"{figures.rate:9,.0f} {figures.peak_mb:8.1f} {figures.split_text:>20} | {note}",
                flush=True,
            )
        path.unlink()

    def _raw_rate(self, planned: Planned) -> float:
        """Rows per second of the same activity rows inserted raw into ``activity`` for a
        scratch provider, in one transaction rolled back afterwards."""
        if self.scratch is None:
            self.scratch, _ = self._provider()
        columns = [c for c in ACTIVITY.columns if c.name != "id"]
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        fixed = {"provider_id": self.scratch.id, "version_id": 1, "created_on": now,
                 "changed_on": now}  # fmt: skip
        values = [[fixed.get(c.name, row.get(c.name)) for c in columns] for row in planned.rows]
        connection = db.engine.raw_connection()
        try:
            if self.postgres:
                elapsed = _copy(connection, columns, values)
            else:
                elapsed = _executemany(connection, columns, values)
        finally:
            connection.close()
        return len(values) / elapsed

    def summary(self) -> None:
        memory = []
        for kind in FORMATS:
            sizes = sorted(size for size, k in self.results if k == kind)
            if len(sizes) < 2:
                continue
            small, large = sizes[0], sizes[-1]
            for step in ("dry run", "validate+preview", "commit"):
                low = self.results[(small, kind)][step].peak_mb
                high = self.results[(large, kind)][step].peak_mb
                growth = f"x{high / low:.1f}" if low > 0.5 else "-"
                memory.append(f"{kind.upper()} {step} {low:.0f} -> {high:.0f} MB ({growth})")
        if memory:
            factor = max(s for s, _ in self.results) / min(s for s, _ in self.results)
            print(
                f"\n  peak memory, smallest -> largest file ({factor:.0f}x the rows; target: "
                "bounded, far below the row factor):",
                flush=True,
            )
            for line in memory:
                print(f"    {line}", flush=True)


def default_limits_note(kind: str, path: Path, rows: int) -> str:
    """Whether PARS with its default settings (and its readers' fixed limits) would take
    the file; the bench raises the settings so that every size is measured."""
    from app.importers.delimited import MAX_TEXT_BYTES
    from app.importers.xlsx import MAX_XLSX_BYTES

    size = path.stat().st_size
    refused = []
    if size > Config.MAX_CONTENT_LENGTH:
        refused.append(f"over the {Config.MAX_CONTENT_LENGTH // MB} MB upload limit")
    if rows > Config.PARS_UPLOAD_MAX_ROWS:
        refused.append(f"over {Config.PARS_UPLOAD_MAX_ROWS:,} rows")
    if kind == "csv" and size > MAX_TEXT_BYTES:
        refused.append(f"over the text reader's {MAX_TEXT_BYTES // MB} MB")
    unpacked = ""
    if kind == "xlsx":
        with zipfile.ZipFile(path) as archive:
            total = sum(entry.file_size for entry in archive.infolist())
        unpacked = f"unpacks to {total / MB:,.0f} MB; "
        if total > Config.PARS_UPLOAD_MAX_XLSX_BYTES:
            refused.append(f"unpacks to over {Config.PARS_UPLOAD_MAX_XLSX_BYTES // MB} MB")
        if size > MAX_XLSX_BYTES:
            refused.append(f"over the workbook reader's {MAX_XLSX_BYTES // MB} MB")
    if not refused:
        return unpacked + "default limits take it"
    return unpacked + "default limits refuse it: " + ", ".join(refused)


def _status_mix(planned: Planned) -> str:
    counts: dict[str, int] = defaultdict(int)
    for row in planned.rows:
        counts[row["status"]] += 1
    return ", ".join(f"{counts[s]:,} {s}" for s in v.ACTIVITY_STATUSES.values if counts[s])


def _executemany(connection: Any, columns: list[Any], values: list[list[Any]]) -> float:
    dialect = db.engine.dialect
    processors = [c.type._cached_bind_processor(dialect) for c in columns]
    rows = [
        tuple(p(value) if p else value for p, value in zip(processors, row, strict=True))
        for row in values
    ]
    names = ", ".join(c.name for c in columns)
    marks = ", ".join("?" for _ in columns)
    raw = connection.driver_connection
    cursor = raw.cursor()
    started = time.perf_counter()
    cursor.executemany(f"INSERT INTO activity ({names}) VALUES ({marks})", rows)
    elapsed = time.perf_counter() - started
    raw.rollback()
    return elapsed


def _copy(connection: Any, columns: list[Any], values: list[list[Any]]) -> float:
    lists = [isinstance(c.type, TextList) for c in columns]
    rows = [
        [";".join(value) if is_list else value for is_list, value in zip(lists, row, strict=True)]
        for row in values
    ]
    names = ", ".join(f'"{c.name}"' for c in columns)
    raw = connection.driver_connection
    started = time.perf_counter()
    with raw.cursor() as cursor, cursor.copy(f"COPY activity ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    elapsed = time.perf_counter() - started
    raw.rollback()
    return elapsed


def _expect(ok: bool, what: str, outcome: Any) -> None:
    if not ok:
        shown = "\n    ".join(p.message for p in outcome.problems[:10])
        raise BenchError(
            f"{what}: {outcome.errors} errors, {outcome.created} new, {outcome.unchanged} "
            f"unchanged\n    {shown}"
        )


def _expect_upload(upload: Upload, status: str, size: int, what: str) -> None:
    done = upload.created + upload.updated + upload.unchanged
    if upload.status != status or done != size:
        problems = db.session.scalars(
            select(UploadProblem.message).where(UploadProblem.upload_id == upload.id).limit(10)
        ).all()
        shown = "\n    ".join(problems)
        raise BenchError(
            f"{what}: {upload.status}, {done:,} of {size:,} rows; {upload.message or ''}"
            f"\n    {shown}"
        )
