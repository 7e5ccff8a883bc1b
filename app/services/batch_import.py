"""``flask pars import``: a batch file uploaded from the command line by ACCME staff or
an integrator, through exactly the same checks and the same single transaction as the
browser upload (domain.md §3). The upload is recorded in the provider's history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.importers.base import Problem
from app.importers.open import open_batch
from app.models import Provider, UploadProblem
from app.security import roles
from app.services import uploads
from app.services.errors import PARSError

#: Who the command line acts as: ACCME staff, recorded as this name in the history.
COMMAND_LINE = "flask pars import"


@dataclass(frozen=True)
class _Role:
    name: str


@dataclass(frozen=True)
class CommandLineActor:
    """The acting user of a command-line import: ACCME staff powers, no account."""

    id: None = None
    email: str = COMMAND_LINE
    roles: tuple[_Role, ...] = field(default=(_Role(roles.STAFF),))
    is_authenticated: bool = True


def run_import(path: str, accme_id: str, *, dry_run: bool, echo: Callable[[str], Any]) -> bool:
    """Check (and unless ``dry_run``, save) the file for the provider; print the counts
    and the report. True when the file was accepted."""
    session = db.session
    provider = session.scalars(select(Provider).where(Provider.accme_id == accme_id)).first()
    if provider is None:
        raise click.ClickException(f"No provider has the ACCME Provider ID {accme_id}.")
    settings = uploads.settings_from(current_app.config)
    actor = CommandLineActor()
    source = Path(path)
    total = _count_rows(source, settings)
    with click.progressbar(length=total, label="Checking", file=None) as bar:
        progress = _progress(bar)
        if dry_run:
            outcome = uploads.check_only(
                session, actor, provider, source, source.name, settings, progress=progress
            )
            return _report_dry_run(outcome, echo)
        upload = uploads.receive(
            session, actor, provider.id, source.name, source.read_bytes(), settings,
            progress=progress,
        )  # fmt: skip
    _print_problems(_stored_problems(upload.id), echo)
    if upload.status != uploads.READY:
        echo(_counts(upload, "Rejected"))
        return False
    with click.progressbar(length=total, label="Saving") as bar:
        try:
            upload = uploads.confirm(session, actor, upload.id, settings, progress=_progress(bar))
        except PARSError as error:
            echo(f"Not saved: {error.message}")
            return False
    echo(_counts(upload, "Saved"))
    return True


def _count_rows(source: Path, settings: uploads.UploadSettings) -> int:
    """How many rows the file has (for the progress bar); 0 when it cannot be read."""
    try:
        return sum(1 for _ in open_batch(source, source.name, settings.limits).rows())
    except Exception:
        return 0


def _progress(bar: Any) -> Callable[[int], None]:
    done = [0]

    def advance(rows: int) -> None:
        bar.update(max(rows - done[0], 0))
        done[0] = max(done[0], rows)

    return advance


def _report_dry_run(outcome: Any, echo: Callable[[str], Any]) -> bool:
    _print_problems(outcome.problems, echo)
    verdict = "Rejected" if outcome.rejected else "Would save"
    rejected = outcome.received if outcome.rejected else 0
    created, updated, unchanged = (
        (0, 0, 0) if outcome.rejected else (outcome.created, outcome.updated, outcome.unchanged)
    )
    echo(
        f"{verdict} (dry run, nothing saved): received {outcome.received}, created {created}, "
        f"updated {updated}, unchanged {unchanged}, rejected {rejected}."
    )
    return not outcome.rejected


def _stored_problems(upload_id: int) -> list[Any]:
    query = select(UploadProblem).where(UploadProblem.upload_id == upload_id)
    return list(db.session.scalars(query.order_by(UploadProblem.id)))


def _print_problems(problems: list[Problem] | list[Any], echo: Callable[[str], Any]) -> None:
    for problem in problems:
        where = "file" if problem.row is None else f"row {problem.row}"
        column = f", {problem.column}" if problem.column else ""
        echo(f"{problem.severity.upper()} {where}{column}: {problem.message}")


def _counts(upload: Any, verdict: str) -> str:
    return (
        f"{verdict}: received {upload.received}, created {upload.created}, updated "
        f"{upload.updated}, unchanged {upload.unchanged}, rejected {upload.rejected}."
    )
