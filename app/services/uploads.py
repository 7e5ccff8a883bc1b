"""Batch upload of activities, from the file to the one transaction (domain.md §3).

1. :func:`receive`: the file is stored under a generated name, read whole and checked
   row by row against the provider's activities. Its record keeps the counts, every
   problem (row, column, value, message, severity) and the planned changes. Nothing is
   written to the activities. A file with any error is Rejected; otherwise it is Ready to
   confirm, with a preview: N new, N updated (with their field differences), N unchanged.
2. :func:`confirm`: in one transaction, with the provider's uploads serialised, the file
   is checked again and written with bulk statements. If anything differs from the
   preview (someone changed an activity since), nothing is written and the preview is
   refreshed. Any failure leaves zero rows of the file and the record says why.
3. A file already processed for the provider is recognised by its content hash;
   uploading it again changes nothing (every row is unchanged).

Every function takes the acting user explicitly; only the provider's contacts and ACCME
staff upload for a provider.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, Table, delete, select, update
from sqlalchemy.orm import Session

from app.importers.base import ERROR, WARNING, FileRejected, Limits, Problem
from app.importers.open import file_format, open_batch
from app.models import Provider, Upload, UploadChange, UploadProblem
from app.models.upload import (
    CANCELLED,
    COMMITTED,
    FAILED,
    READY,
    REJECTED,
    STAGED_ACTIVITIES,
)
from app.security import scoping
from app.services import audit, batch_plan
from app.services.annual import year_is_locked
from app.services.batch_plan import Outcome, run_pass
from app.services.batch_rows import NEW, UPDATED, RowContext, RowResult
from app.services.batch_write import (
    Plan,
    PlanOutdated,
    has_parts,
    insert_staged,
    plan_of,
    staged_row,
    write_chunk,
)
from app.services.bulk_sql import bulk_insert
from app.services.clock import utcnow
from app.services.errors import ConflictError, InputError, NotInScopeError, RuleError

log = logging.getLogger(__name__)
PROBLEMS = cast(Table, UploadProblem.__table__)
CHANGES = cast(Table, UploadChange.__table__)
UPLOADS = cast(Table, Upload.__table__)
STAGED = STAGED_ACTIVITIES
#: Audit actions.
CHECKED = "activity file checked"
COMMITTED_ACTION = "activity file committed"
Progress = Callable[[int], None]
GENERIC_FAILURE = (
    "The file could not be saved because of a problem on the server. Nothing was written. "
    "Try again; if it happens again, contact PARS support with the reference shown."
)


@dataclass(frozen=True)
class UploadSettings:
    """Where files are kept and how big they may be."""

    directory: Path
    max_bytes: int = 20 * 1024 * 1024
    limits: Limits = field(default_factory=Limits)
    max_problems: int = 50_000


def settings_from(config: Any) -> UploadSettings:
    """The upload settings of a Flask config."""
    return UploadSettings(
        directory=Path(config["PARS_UPLOAD_DIR"]),
        max_bytes=int(config["MAX_CONTENT_LENGTH"]),
        limits=Limits(
            max_rows=int(config["PARS_UPLOAD_MAX_ROWS"]),
            max_xlsx_uncompressed=int(config["PARS_UPLOAD_MAX_XLSX_BYTES"]),
            max_xlsx_entries=int(config["PARS_UPLOAD_MAX_XLSX_ENTRIES"]),
        ),
        max_problems=int(config["PARS_UPLOAD_MAX_PROBLEMS"]),
    )


def provider_for_upload(session: Session, actor: Any, provider_id: int | None) -> Provider:
    """The provider, if ``actor`` may upload activities for it (its contacts and ACCME
    staff); NotInScopeError otherwise."""
    provider = session.get(Provider, provider_id) if provider_id else None
    if provider is None or not scoping.can_act_for_provider(session, actor, provider.id):
        raise NotInScopeError()
    return provider


def row_context(session: Session, actor: Any, provider: Provider, today: dt.date) -> RowContext:
    """What the row checks need to know: the provider, the user's powers, today."""
    locked: dict[int, bool] = {}

    def year_locked(year: int) -> bool:
        if year not in locked:
            locked[year] = year_is_locked(session, provider.id, year)
        return locked[year]

    return RowContext(
        provider_accme_id=provider.accme_id,
        provider_kind=provider.kind,
        staff=scoping.sees_everything(actor),
        today=today,
        year_locked=year_locked,
    )


def receive(
    session: Session,
    actor: Any,
    provider_id: int | None,
    filename: str,
    data: bytes,
    settings: UploadSettings,
    *,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> Upload:
    """Store and check an uploaded file for the provider; returns its upload record
    (Ready to confirm, or Rejected with its report). Writes no activity."""
    provider = provider_for_upload(session, actor, provider_id)
    name = display_name(filename)
    if len(data) > settings.max_bytes:
        raise InputError(
            "file", f"The file is larger than {settings.max_bytes // (1024 * 1024)} MB."
        )
    upload = _new_upload(session, actor, provider, name, data, settings)
    _analyse(session, actor, provider, upload, settings, today, progress)
    _audit(session, actor, upload, CHECKED)
    session.commit()
    return upload


def display_name(filename: str) -> str:
    """The user's file name, only ever displayed (escaped): path parts, control and
    bidirectional-override characters removed, at most 255 characters."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in _BIDI).strip()
    if len(cleaned) > _NAME_LIMIT:
        # Shorten the name, not its extension: the extension says how the file is read.
        stem, dot, suffix = cleaned.rpartition(".")
        if dot and stem and len(suffix) <= 10:
            cleaned = f"{stem[: _NAME_LIMIT - len(suffix) - 1]}.{suffix}"
        else:
            cleaned = cleaned[:_NAME_LIMIT]
    return cleaned or "upload"


_NAME_LIMIT = 255
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def _new_upload(
    session: Session, actor: Any, provider: Provider, name: str, data: bytes,
    settings: UploadSettings,
) -> Upload:  # fmt: skip
    try:
        kind = file_format(name)
    except FileRejected:
        kind = "other"
    stored = f"{uuid.uuid4().hex}.upload"
    settings.directory.mkdir(parents=True, exist_ok=True)
    (settings.directory / stored).write_bytes(data)
    upload = Upload(
        provider_id=provider.id,
        uploaded_by_id=getattr(actor, "id", None),
        uploaded_by_email=getattr(actor, "email", None),
        uploaded_on=utcnow(),
        original_name=name,
        stored_name=stored,
        file_format=kind,
        size=len(data),
        content_hash=hashlib.sha256(data).hexdigest(),
        status=READY,
    )
    session.add(upload)
    session.flush()
    return upload


def stored_path(upload: Upload, settings: UploadSettings) -> Path:
    """Where the upload's original file is kept (a generated name, never the user's)."""
    return settings.directory / upload.stored_name


def _analyse(
    session: Session,
    actor: Any,
    provider: Provider,
    upload: Upload,
    settings: UploadSettings,
    today: dt.date | None,
    progress: Progress | None,
) -> Outcome:
    """Check the stored file, store the report and the preview on the record."""
    ctx = row_context(session, actor, provider, today or utcnow().date())
    connection = session.connection()
    connection.execute(delete(PROBLEMS).where(PROBLEMS.c.upload_id == upload.id))
    _clear_preview(connection, upload.id)
    sink = _preview_sink(connection, upload.id, progress)
    try:
        batch = open_batch(stored_path(upload, settings), upload.original_name, settings.limits)
        outcome = run_pass(
            connection, batch, ctx, provider.id, sink=sink, max_problems=settings.max_problems
        )
    except FileRejected as rejected:
        outcome = Outcome(errors=1, problems=[rejected.as_problem()])
    if outcome.rejected:
        _clear_preview(connection, upload.id)
    upload.checked_for = ctx.today
    _store_outcome(connection, upload, outcome)
    return outcome


def _preview_sink(connection: Any, upload_id: int, progress: Progress | None) -> Any:
    """Store each checked chunk's preview: a line per new or changed activity, with the
    plan that confirming writes (new activities staged as rows, in bulk)."""
    done = [0]

    def sink(results: list[RowResult]) -> None:
        lines, staged = [], []
        for result in results:
            if result.action not in (NEW, UPDATED):
                continue
            plan = plan_of(result)
            if result.action == NEW:
                staged.append(staged_row(plan, upload_id, result.number))
            lines.append(_change_row(upload_id, result, plan))
        if lines:
            bulk_insert(connection, CHANGES, lines)
        if staged:
            bulk_insert(connection, STAGED_ACTIVITIES, staged)
        done[0] += len(results)
        if progress is not None:
            progress(done[0])

    return sink


def _change_row(upload_id: int, result: RowResult, plan: Plan) -> dict[str, Any]:
    """The preview line; a new activity's plan keeps only its repeated parts (its row
    is staged), and none at all when it has none."""
    if result.action == NEW:
        plan = {k: val for k, val in plan.items() if k != "a"} if has_parts(plan) else {}
    return {
        "upload_id": upload_id,
        "row": result.number,
        "provider_activity_id": result.key[:50],
        "action": result.action,
        "title": result.title[:500],
        "changes": json.dumps(result.changes),
        "plan": json.dumps(plan, separators=(",", ":")) if plan else None,
    }


def _clear_preview(connection: Any, upload_id: int) -> None:
    """Drop an upload's preview lines and staged activities."""
    connection.execute(delete(CHANGES).where(CHANGES.c.upload_id == upload_id))
    connection.execute(delete(STAGED).where(STAGED.c.upload_id == upload_id))


def _store_outcome(connection: Any, upload: Upload, outcome: Outcome) -> None:
    """Counts (received = created + updated + unchanged + rejected) and the report. A
    rejected file writes nothing, so all of its rows count as rejected."""
    upload.received = outcome.received
    upload.rows_with_errors = outcome.rows_with_errors
    upload.errors, upload.warnings = outcome.errors, outcome.warnings
    if outcome.rejected:
        upload.status = REJECTED
        upload.created = upload.updated = upload.unchanged = 0
        upload.rejected = outcome.received
        upload.plan_digest = None
        upload.message = _rejection_message(outcome)
    else:
        upload.status = READY
        upload.created, upload.updated = outcome.created, outcome.updated
        upload.unchanged, upload.rejected = outcome.unchanged, 0
        upload.plan_digest = outcome.digest
        upload.message = None
    problems = [_problem_row(upload.id, p) for p in outcome.problems]
    if outcome.problems_dropped:
        dropped = _dropped(outcome.problems_dropped, rejected=outcome.rejected)
        problems.append(_problem_row(upload.id, dropped))
    if problems:
        bulk_insert(connection, PROBLEMS, problems)


def _rejection_message(outcome: Outcome) -> str:
    if outcome.received == 0:
        return "The file could not be read; nothing was written."
    return (
        f"{outcome.rows_with_errors} of {outcome.received} rows have errors, so none of the "
        "rows was written. Correct them and upload the file again."
    )


def _dropped(count: int, *, rejected: bool) -> Problem:
    """The last line of a capped report: an error line only when the file has errors (a
    file with only warnings is not made to look rejected)."""
    if not rejected:
        return Problem(None, "", "", f"... and {count} more warnings not listed.", WARNING)
    return Problem(
        None, "", "", f"... and {count} more problems not listed: correct these first.", ERROR
    )


def _problem_row(upload_id: int, problem: Problem) -> dict[str, Any]:
    return {
        "upload_id": upload_id,
        "row": problem.row,
        "column": problem.column[:200],
        "value": problem.value[:1000],
        "message": problem.message,
        "severity": problem.severity,
    }


def upload_for(session: Session, actor: Any, upload_id: int) -> Upload:
    """The upload, if ``actor`` may see it; NotInScopeError otherwise."""
    query = scoping.restrict(session, select(Upload), Upload, actor)
    upload = session.scalars(query.where(Upload.id == upload_id)).first()
    if upload is None:
        raise NotInScopeError()
    return upload


def confirm(
    session: Session,
    actor: Any,
    upload_id: int,
    settings: UploadSettings,
    *,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> Upload:
    """Write a checked upload in one transaction, exactly as its preview showed.

    RuleError when it is not Ready to confirm, or when the activities changed since the
    preview (the preview is refreshed; nothing is written). Any failure while writing
    leaves zero rows of the file, and the record is marked Failed with the reason."""
    upload = upload_for(session, actor, upload_id)
    provider = provider_for_upload(session, actor, upload.provider_id)
    if upload.status != READY:
        raise RuleError(f"This upload is {upload.status}: it cannot be confirmed.")
    _note_started(session, actor, upload)
    try:
        _commit(session, actor, provider, upload, settings, today, progress)
    except _PreviewOutdated as outdated:
        session.rollback()
        _guarded(session, upload_id, _refresh_preview, session, actor, upload_id, settings,
                 today, outdated.reason)  # fmt: skip
    except Exception as error:
        # Whatever went wrong, none of the file's rows may stay in the session, where a
        # later commit of the same request (an audit row, an error page) would save them.
        session.rollback()
        _mark_failed(session, upload_id, error)
        raise RuleError(_failure_text(error)) from None
    except BaseException:
        # The worker is being stopped: drop the file's rows; the record still says that
        # the save was interrupted and nothing was written.
        session.rollback()
        raise
    return upload


def _guarded(session: Session, upload_id: int, step: Callable[..., Any], *args: Any) -> Any:
    """Run ``step``; a business-rule answer passes through, any other failure rolls back
    and marks the upload Failed (nothing was written)."""
    try:
        return step(*args)
    except RuleError:
        raise
    except Exception as error:
        session.rollback()
        _mark_failed(session, upload_id, error)
        raise RuleError(_failure_text(error)) from None


class _PreviewOutdated(Exception):  # noqa: N818 (control flow inside this module)
    """The file would now do something else than its preview showed: the activities
    changed since (``CHANGED``), or it was checked on an earlier day (``EARLIER_DAY``:
    end dates that have passed since change what a status allows)."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason or CHANGED


CHANGED = (
    "Activities of this provider changed since the file was checked, so nothing was "
    "written. The preview below is up to date: review it and confirm again."
)
EARLIER_DAY = (
    "The file was checked on an earlier day, so nothing was written: it has been checked "
    "again for today. Review the preview below and confirm again."
)


def _note_started(session: Session, actor: Any, upload: Upload) -> None:
    """Say on the record that a save started: if the server stops midway, the record
    tells the user nothing was written. RuleError when the upload was confirmed or
    cancelled meanwhile (by another request)."""
    started = _set_if_ready(
        session,
        upload.id,
        message=(
            f"Saving started {utcnow():%Y-%m-%d %H:%M} UTC by {getattr(actor, 'email', '')}. "
            "If this stays here, the save was interrupted and nothing was written: confirm "
            "again."
        ),
    )
    session.commit()
    if not started:
        raise RuleError(f"This upload is {upload.status}: it cannot be confirmed.")


def _set_if_ready(session: Session, upload_id: int, **values: Any) -> bool:
    """Change the upload's record only while it is Ready to confirm: another request may
    have confirmed or cancelled it since it was read, and its outcome must stay."""
    result = session.execute(
        update(UPLOADS).where(UPLOADS.c.id == upload_id, UPLOADS.c.status == READY).values(**values)
    )
    return cast(CursorResult[Any], result).rowcount == 1


def _commit(
    session: Session,
    actor: Any,
    provider: Provider,
    upload: Upload,
    settings: UploadSettings,
    today: dt.date | None,
    progress: Progress | None,
) -> None:
    """Replay the preview's plans in bulk, in this one transaction, with the provider's
    uploads serialised: the upload's record is claimed (which also takes SQLite's write
    lock) and the provider's row locked. A preview from an earlier day (today decides
    which end dates have passed), a reporting year submitted since, a key taken or an
    activity changed since: _PreviewOutdated, nothing written."""
    connection = session.connection()
    claimed = connection.execute(
        update(UPLOADS)
        .where(UPLOADS.c.id == upload.id, UPLOADS.c.status == READY)
        .values(status=READY)
    )
    if claimed.rowcount != 1:
        raise ConflictError("This upload was already confirmed or cancelled.")
    connection.execute(select(Provider.id).where(Provider.id == provider.id).with_for_update())
    ctx = row_context(session, actor, provider, today or utcnow().date())
    if upload.checked_for != ctx.today:
        raise _PreviewOutdated(EARLIER_DAY)
    if not ctx.staff and _adds_to_locked_year(connection, upload.id, ctx):
        raise _PreviewOutdated()
    try:
        insert_staged(connection, provider.id, upload.id, utcnow())
        for plans, done in _stored_plans(connection, upload.id):
            if not ctx.staff and any(ctx.year_locked(y) for p in plans for y in p.get("y", [])):
                raise _PreviewOutdated()
            write_chunk(connection, provider.id, plans)
            if progress is not None:
                progress(done)
    except PlanOutdated:
        raise _PreviewOutdated() from None
    _finish(session, actor, upload)
    _audit(session, actor, upload, COMMITTED_ACTION)
    session.commit()


def _adds_to_locked_year(connection: Any, upload_id: int, ctx: RowContext) -> bool:
    """Whether a reporting year the upload's new activities go into was submitted since
    the preview (contacts may not add to a submitted year; the years the plans change
    are checked chunk by chunk as they are written)."""
    staged = select(STAGED.c.reporting_year).where(STAGED.c.upload_id == upload_id).distinct()
    years = connection.execute(staged).scalars()
    return any(ctx.year_locked(year) for year in years if year is not None)


def _stored_plans(connection: Any, upload_id: int) -> Any:
    """The upload's plans in file order, a chunk at a time, with the row reached."""
    last = 0
    while True:
        query = (
            select(CHANGES.c.id, CHANGES.c.row, CHANGES.c.plan)
            .where(
                CHANGES.c.upload_id == upload_id,
                CHANGES.c.id > last,
                CHANGES.c.plan.is_not(None),
            )
            .order_by(CHANGES.c.id)
            .limit(batch_plan.CHUNK_ROWS)
        )
        rows = connection.execute(query).all()
        if not rows:
            return
        last = rows[-1].id
        yield [{**json.loads(row.plan), "row": row.row} for row in rows], rows[-1].row


def _finish(session: Session, actor: Any, upload: Upload) -> None:
    """Committed, with the preview's counts (the plans written are the preview's)."""
    upload.status = COMMITTED
    upload.finished_on = utcnow()
    upload.finished_by_email = getattr(actor, "email", None)
    upload.message = None


def _refresh_preview(
    session: Session, actor: Any, upload_id: int, settings: UploadSettings,
    today: dt.date | None, reason: str,
) -> Upload:  # fmt: skip
    """Check the stored file again and store the new preview; RuleError(reason)."""
    upload = upload_for(session, actor, upload_id)
    provider = provider_for_upload(session, actor, upload.provider_id)
    path = stored_path(upload, settings)
    if not path.is_file():
        raise FileNotFoundError(f"the stored file of upload {upload_id} is missing")
    _analyse(session, actor, provider, upload, settings, today, None)
    session.commit()
    raise RuleError(reason)


def _mark_failed(session: Session, upload_id: int, error: Exception) -> None:
    """Mark the upload Failed with the reason, unless another request committed or
    cancelled it meanwhile (a second confirm of the same upload fails to claim it)."""
    log.error("Upload %s failed: %s", upload_id, type(error).__name__, exc_info=error)
    _set_if_ready(
        session, upload_id, status=FAILED, message=_failure_text(error), finished_on=utcnow()
    )
    session.commit()


def _failure_text(error: Exception) -> str:
    if isinstance(error, ConflictError):
        return f"{error.message} Nothing was written."
    return GENERIC_FAILURE


def cancel(session: Session, actor: Any, upload_id: int) -> Upload:
    """Drop a checked upload that is waiting for confirmation (nothing was written)."""
    upload = upload_for(session, actor, upload_id)
    provider_for_upload(session, actor, upload.provider_id)
    if upload.status != READY:
        raise RuleError(f"This upload is {upload.status}: it cannot be cancelled.")
    cancelled = _set_if_ready(
        session,
        upload.id,
        status=CANCELLED,
        finished_on=utcnow(),
        finished_by_email=getattr(actor, "email", None),
        message="Cancelled before anything was written.",
    )
    if cancelled:
        session.execute(delete(STAGED).where(STAGED.c.upload_id == upload.id))
    session.commit()
    if not cancelled:
        raise RuleError(f"This upload is {upload.status}: it cannot be cancelled.")
    return upload


def earlier_same_file(session: Session, upload: Upload) -> Upload | None:
    """The provider's last committed upload of a file with the same content, if any."""
    query = (
        select(Upload)
        .where(
            Upload.provider_id == upload.provider_id,
            Upload.content_hash == upload.content_hash,
            Upload.status == COMMITTED,
            Upload.id != upload.id,
        )
        .order_by(Upload.id.desc())
    )
    return session.scalars(query).first()


def _audit(session: Session, actor: Any, upload: Upload, action: str) -> None:
    audit.record(
        session,
        action,
        actor=actor,
        provider_id=upload.provider_id,
        object_type="Upload",
        object_id=upload.id,
        detail=(
            f"{upload.status}: received {upload.received}, created {upload.created}, "
            f"updated {upload.updated}, unchanged {upload.unchanged}, rejected {upload.rejected}"
        ),
    )


def check_only(
    session: Session,
    actor: Any,
    provider: Provider,
    source: Path | bytes,
    filename: str,
    settings: UploadSettings,
    *,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> Outcome:
    """Read and check a file against the provider's activities; nothing is stored."""
    ctx = row_context(session, actor, provider, today or utcnow().date())
    sink = None
    if progress is not None:
        done = [0]

        def sink(results: list[RowResult]) -> None:
            done[0] += len(results)
            progress(done[0])

    try:
        batch = open_batch(source, filename, settings.limits)
        return run_pass(
            session.connection(), batch, ctx, provider.id, sink=sink,
            max_problems=settings.max_problems,
        )  # fmt: skip
    except FileRejected as rejected:
        return Outcome(errors=1, problems=[rejected.as_problem()])
    finally:
        session.rollback()


__all__ = [
    "CANCELLED",
    "COMMITTED",
    "FAILED",
    "READY",
    "REJECTED",
    "UploadSettings",
    "cancel",
    "check_only",
    "confirm",
    "display_name",
    "earlier_same_file",
    "receive",
    "settings_from",
    "stored_path",
    "upload_for",
]
