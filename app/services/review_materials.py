"""The files a provider submits for an accreditation review (domain.md §6.3), and the
activities ACCME staff pick for performance-in-practice review.

* The provider's contacts add and remove materials while the review is at "Materials
  Due"; ACCME staff may also do it on the provider's behalf from "Confirmation of
  Intent" to "Submitted". Surveyors only read them.
* A review has one self-study report (Initial and Reaccreditation cycles) or one progress
  report (Progress Report cycle): a new one replaces the previous. Attachments are any
  number; performance-in-practice evidence belongs to one picked activity (several files
  each).
* Only PDF, Word, Excel, PowerPoint, text, CSV, PNG and JPEG files are accepted, and their
  content must be what their extension says. A file is stored under a generated name,
  with its size and SHA-256; the user's file name is only displayed.
* ACCME staff pick at most :data:`PIP_MAX` activities of the provider's term, before the
  materials are submitted.

A file is written before its row is committed and removed again if the commit fails; the
file of a deleted row is removed only after the deletion is committed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from app.models import Activity, Review, ReviewActivity, ReviewMaterial
from app.schema import vocabularies as v
from app.security import scoping
from app.services import audit, review_history
from app.services.clock import utcnow
from app.services.errors import InputError, NotInScopeError, RuleError
from app.services.material_files import ALLOWED_TYPES, MB, check_file
from app.services.review_access import (
    as_id,
    lock_review,
    require_provider_side,
    require_staff,
    require_stage,
    review_for,
    row_by_id,
)
from app.services.uploads import display_name

log = logging.getLogger(__name__)

#: At most this many activities are reviewed for performance in practice.
PIP_MAX = 15
DESCRIPTION_MAX = 500
#: The stages at which a provider's contacts change the materials; staff, a little more.
CONTACT_STAGES = (v.REVIEW_MATERIALS_DUE,)
STAFF_STAGES = (v.REVIEW_INTENT, v.REVIEW_MATERIALS_DUE, v.REVIEW_SUBMITTED)
PICK_STAGES = (v.REVIEW_INTENT, v.REVIEW_MATERIALS_DUE)
#: Materials of which a review has only one: a new upload replaces the previous.
SINGLE_KINDS = (v.MATERIAL_SELF_STUDY, v.MATERIAL_PROGRESS_REPORT)
PROGRESS_CYCLE = "Progress Report"
#: Audit actions.
ADDED = "review material added"
REMOVED = "review material removed"


@dataclass(frozen=True)
class MaterialSettings:
    """Where review materials are kept and how big one may be."""

    directory: Path
    max_bytes: int = 20 * MB


def settings_from(config: Any) -> MaterialSettings:
    """The review-material settings of a Flask config (a folder of the upload folder)."""
    return MaterialSettings(
        directory=Path(config["PARS_UPLOAD_DIR"]) / "materials",
        max_bytes=int(config["PARS_MATERIAL_MAX_MB"]) * MB,
    )


def store_file(directory: Path, content: bytes) -> Path:
    """Store the bytes under a new generated name; written whole to a temporary file of
    the same folder first, then renamed, so that no one ever reads half a file."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{uuid.uuid4().hex}.material"
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        _unlink(Path(temporary))
        raise
    return target


def _unlink(path: Path) -> None:
    """Remove a stored file; a failure is logged, never shown (the change is done)."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        log.warning("Could not remove the stored file %s", path.name, exc_info=True)


def _commit(session: Session, removed: list[Path]) -> None:
    """Commit (rolled back if that fails); the files of the rows deleted go only once
    their deletion is committed."""
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise
    for path in removed:
        _unlink(path)


# ---- adding and removing materials --------------------------------------------------------


def editing_stages(actor: Any) -> tuple[str, ...]:
    """When the actor may change a review's materials: the provider's contacts at
    "Materials Due"; ACCME staff from "Confirmation of Intent" to "Submitted"."""
    return STAFF_STAGES if scoping.sees_everything(actor) else CONTACT_STAGES


def _require_editable(session: Session, actor: Any, review: Review, doing: str) -> None:
    """The provider's side at its stages (ForbiddenError for anyone else, RuleError at
    other stages)."""
    require_provider_side(session, actor, review, doing)
    require_stage(review, editing_stages(actor), doing)


def _check_kind(
    session: Session, review: Review, kind: str, review_activity_id: Any
) -> tuple[str, int | None]:
    """The material's kind as stored, and the pick it belongs to. Evidence names an
    activity picked for this review; no other kind names one. A progress report belongs
    to a Progress Report review, a self-study report to an initial or reaccreditation
    review. InputError otherwise."""
    value = v.MATERIAL_KINDS.canonical(kind or "")
    if value is None:
        raise InputError("kind", "Choose what this file is: " + ", ".join(v.MATERIAL_KINDS.values))
    pick = None
    if value == v.MATERIAL_EVIDENCE:
        pick = _picked(session, review, review_activity_id)
        if pick is None:
            raise InputError(
                "review_activity_id", "Choose one of the activities picked for this review."
            )
    elif review_activity_id not in (None, ""):
        raise InputError("review_activity_id", "Only evidence belongs to a picked activity.")
    progress = review.cycle == PROGRESS_CYCLE
    if value == v.MATERIAL_PROGRESS_REPORT and not progress:
        raise InputError("kind", "A progress report belongs only to a Progress Report review.")
    if value == v.MATERIAL_SELF_STUDY and progress:
        raise InputError(
            "kind", "A self-study report belongs only to an initial or reaccreditation review."
        )
    return value, pick.id if pick else None


def _picked(session: Session, review: Review, review_activity_id: Any) -> ReviewActivity | None:
    """The pick of this review with this id, if there is one."""
    key = as_id(review_activity_id)
    if key is None:
        return None
    query = select(ReviewActivity).where(
        ReviewActivity.id == key, ReviewActivity.review_id == review.id
    )
    return session.scalars(query).first()


def _description(text: str | None) -> str | None:
    """The description, trimmed; at most 500 characters (InputError)."""
    cleaned = (text or "").strip()
    if len(cleaned) > DESCRIPTION_MAX:
        raise InputError(
            "description", f"The description is longer than {DESCRIPTION_MAX} characters."
        )
    return cleaned or None


def add_material(
    session: Session,
    actor: Any,
    review_id: Any,
    kind: str,
    filename: str,
    content: bytes,
    settings: MaterialSettings,
    *,
    review_activity_id: Any = None,
    description: str | None = None,
) -> ReviewMaterial:
    """Attach a file to the review (see the module's rules). A new self-study or
    progress report replaces the previous one. NotInScopeError outside the actor's
    reviews, ForbiddenError for anyone but the provider's contacts and staff, RuleError
    at another stage, InputError for the kind, the activity, the description or the
    file; nothing is written then."""
    review = review_for(session, actor, review_id)
    _require_editable(session, actor, review, "submit review materials")
    kind, pick_id = _check_kind(session, review, kind, review_activity_id)
    fields = {"kind": kind, "review_activity_id": pick_id, "description": _description(description)}
    fields["display_name"] = name = display_name(filename)
    fields["extension"] = check_file(name, content, settings.max_bytes)
    lock_review(session, review)
    replaced = _replaced(session, review, kind)
    written = None
    try:  # no row may name a file that is not there, and no file may stay without a row
        written = store_file(settings.directory, content)
        material = _save(session, actor, review, content, written, fields)
        _record_added(session, actor, review, material, replaced)
        session.commit()
    except BaseException:
        session.rollback()
        if written is not None:
            _unlink(written)
        raise
    for old in replaced:
        _unlink(settings.directory / old.stored_name)
    return material


def _replaced(session: Session, review: Review, kind: str) -> list[ReviewMaterial]:
    """The review's current self-study or progress report, which a new one replaces."""
    if kind not in SINGLE_KINDS:
        return []
    query = select(ReviewMaterial).where(
        ReviewMaterial.review_id == review.id, ReviewMaterial.kind == kind
    )
    return list(session.scalars(query).all())


def _save(
    session: Session, actor: Any, review: Review, content: bytes, written: Path,
    fields: dict[str, Any],
) -> ReviewMaterial:  # fmt: skip
    """The material's row for the file just written (``fields``: kind, pick, display
    name, extension, description)."""
    material = ReviewMaterial(
        **fields,
        review_id=review.id,
        stored_name=written.name,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_at=utcnow(),
        uploaded_by=getattr(actor, "email", None),
    )
    session.add(material)
    return material


def _record_added(
    session: Session, actor: Any, review: Review, material: ReviewMaterial,
    replaced: list[ReviewMaterial],
) -> None:  # fmt: skip
    """Delete the replaced report, then note the new file in the history and the audit."""
    for old in replaced:
        session.delete(old)
    session.flush()
    detail = f"{material.kind}: {material.display_name}"
    if replaced:
        detail += " (replaces " + ", ".join(old.display_name for old in replaced) + ")"
    review_history.note(session, review, actor, "material added", detail)
    audit.record(session, ADDED, actor=actor, provider_id=review.provider_id,
                 object_type="ReviewMaterial", object_id=material.id, detail=detail)  # fmt: skip


def _material_for(session: Session, actor: Any, material_id: Any) -> ReviewMaterial:
    """The material, if it belongs to a review the actor may read; NotInScopeError."""
    query = select(ReviewMaterial).where(
        ReviewMaterial.id == as_id(material_id),
        scoping.predicate(session, ReviewMaterial, actor),
    )
    material = session.scalars(query).first()
    if material is None:
        raise NotInScopeError()
    return material


def remove_material(
    session: Session, actor: Any, material_id: Any, *, settings: MaterialSettings | None = None
) -> None:
    """Remove a file from the review, on the same terms as adding one (the provider's
    contacts at "Materials Due", staff up to "Submitted"). Its stored file goes once
    the removal is committed (``settings`` default to the app's)."""
    material = _material_for(session, actor, material_id)
    review = review_for(session, actor, material.review_id)
    _require_editable(session, actor, review, "remove review materials")
    settings = settings or settings_from(current_app.config)
    detail = f"{material.kind}: {material.display_name}"
    session.delete(material)
    review_history.note(session, review, actor, "material removed", detail)
    audit.record(session, REMOVED, actor=actor, provider_id=review.provider_id,
                 object_type="ReviewMaterial", object_id=material.id, detail=detail)  # fmt: skip
    _commit(session, [settings.directory / material.stored_name])


def material_file(
    session: Session, actor: Any, material_id: Any, settings: MaterialSettings
) -> tuple[ReviewMaterial, Path]:
    """The material and its stored file, for whoever may read the review (staff, its
    provider's contacts, its surveyors without a conflict); NotInScopeError otherwise.
    RuleError when the file is missing from storage (logged for staff to restore)."""
    material = _material_for(session, actor, material_id)
    path = settings.directory / material.stored_name
    if not path.is_file():
        log.error(
            "Review material %s of review %s is missing from storage (%s)",
            material.id, material.review_id, material.stored_name,
        )  # fmt: skip
        raise RuleError("The file is missing from storage; ACCME staff have been told.")
    return material, path


# ---- activities picked for performance-in-practice review ---------------------------------


def _term_filters(review: Review) -> list[ColumnElement[bool]]:
    """Activities of the review's term: starting on or before its end, ending (or, with
    no end date, starting) on or after its start. No term set: every activity."""
    filters: list[ColumnElement[bool]] = []
    if review.term_end is not None:
        filters.append(Activity.start_date <= review.term_end)
    if review.term_start is not None:
        ends = func.coalesce(Activity.end_date, Activity.start_date)
        filters.append(ends >= review.term_start)
    return filters


def _in_term(review: Review, activity: Activity) -> bool:
    ends = activity.end_date or activity.start_date
    return (review.term_end is None or activity.start_date <= review.term_end) and (
        review.term_start is None or ends >= review.term_start
    )


def _term_text(review: Review) -> str:
    start, end = review.term_start, review.term_end
    if start and end:
        return f"{start:%m/%d/%Y} to {end:%m/%d/%Y}"
    return f"from {start:%m/%d/%Y}" if start else f"until {end:%m/%d/%Y}"


def _picks(session: Session, review: Review) -> list[ReviewActivity]:
    """The review's picked activities, by Provider Activity ID."""
    query = (
        select(ReviewActivity)
        .join(Activity, Activity.id == ReviewActivity.activity_id)
        .where(ReviewActivity.review_id == review.id)
        .order_by(Activity.provider_activity_id, ReviewActivity.id)
    )
    return list(session.scalars(query).unique().all())


def _activities_to_pick(
    session: Session, review: Review, activity_ids: list[Any]
) -> list[Activity]:
    """The activities named, each of the review's provider and in its term; InputError
    listing every one that is not."""
    keys = [as_id(key) for key in activity_ids]
    if not keys or None in keys:
        raise InputError("activity_ids", "Choose activities from the list.")
    wanted = list(dict.fromkeys(key for key in keys if key is not None))
    found = {a.id: a for a in session.scalars(select(Activity).where(Activity.id.in_(wanted)))}
    provider = review.provider.name
    problems = []
    for key in wanted:
        activity = found.get(key)
        if activity is None or activity.provider_id != review.provider_id:
            label = activity.provider_activity_id if activity else f"Activity {key}"
            problems.append(f"{label} is not an activity of {provider}.")
        elif not _in_term(review, activity):
            problems.append(
                f"{activity.provider_activity_id} is outside the review's term "
                f"({_term_text(review)})."
            )
    if problems:
        raise InputError("activity_ids", " ".join(problems))
    return [found[key] for key in wanted]


def pick_activities(
    session: Session, actor: Any, review_id: Any, activity_ids: list[int]
) -> list[ReviewActivity]:
    """ACCME staff pick activities of the provider's term for performance-in-practice
    review, at "Confirmation of Intent" or "Materials Due"; returns the new picks
    (activities already picked are left as they are). ForbiddenError for anyone else,
    RuleError at another stage or beyond :data:`PIP_MAX` picks, InputError for an
    activity of another provider or outside the term."""
    review = review_for(session, actor, review_id)
    require_staff(actor, "pick activities for performance-in-practice review")
    require_stage(review, PICK_STAGES, "pick activities for performance-in-practice review")
    activities = _activities_to_pick(session, review, activity_ids)
    lock_review(session, review)
    taken = {pick.activity_id for pick in _picks(session, review)}
    new = [activity for activity in activities if activity.id not in taken]
    if len(taken) + len(new) > PIP_MAX:
        raise RuleError(
            f"At most {PIP_MAX} activities are reviewed for performance in practice; "
            f"{len(taken)} are already picked."
        )
    if not new:
        return []
    now, by = utcnow(), getattr(actor, "email", None)
    picks = [ReviewActivity(review_id=review.id, activity_id=a.id, selected_at=now,
                            selected_by=by) for a in new]  # fmt: skip
    session.add_all(picks)
    detail = ", ".join(activity.provider_activity_id for activity in new)
    review_history.note(session, review, actor, "activities picked", detail)
    session.commit()
    return picks


def unpick_activity(
    session: Session,
    actor: Any,
    review_activity_id: Any,
    *,
    settings: MaterialSettings | None = None,
) -> None:
    """ACCME staff drop a picked activity before the materials are submitted
    ("Confirmation of Intent" or "Materials Due"), with the evidence the provider
    attached to it; the evidence files go once that is committed."""
    require_staff(actor, "pick activities for performance-in-practice review")
    pick = row_by_id(session, ReviewActivity, review_activity_id)
    if pick is None:
        raise NotInScopeError()
    review = review_for(session, actor, pick.review_id)
    require_stage(review, PICK_STAGES, "change the activities picked for review")
    settings = settings or settings_from(current_app.config)
    evidence = session.scalars(
        select(ReviewMaterial).where(ReviewMaterial.review_activity_id == pick.id)
    ).all()
    for material in evidence:
        session.delete(material)
    activity = pick.activity
    session.delete(pick)
    detail = f"{activity.provider_activity_id} ({activity.title})"
    if evidence:
        detail += f"; {len(evidence)} evidence file(s) removed"
    review_history.note(session, review, actor, "activity unpicked", detail)
    _commit(session, [settings.directory / m.stored_name for m in evidence])


def activities_of_term(
    session: Session, review: Review, search: str = "", limit: int = 50
) -> list[Activity]:
    """Activities staff may still pick: the review's provider's, in its term, not yet
    picked; ``search`` matches the title or Provider Activity ID (any case). Latest
    first. The caller has checked that the user is ACCME staff."""
    picked = select(ReviewActivity.activity_id).where(ReviewActivity.review_id == review.id)
    query = select(Activity).where(
        Activity.provider_id == review.provider_id,
        Activity.id.not_in(picked),
        *_term_filters(review),
    )
    text = search.strip()
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(
            or_(
                Activity.title.ilike(pattern, escape="\\"),
                Activity.provider_activity_id.ilike(pattern, escape="\\"),
            )
        )
    query = query.order_by(Activity.start_date.desc(), Activity.id.desc()).limit(max(1, limit))
    return list(session.scalars(query).unique().all())


def missing_materials(session: Session, review: Review) -> list[str]:
    """What the provider must still attach before submitting, in plain words: the
    self-study report (Initial, Reaccreditation) or the progress report (Progress
    Report cycle), and the evidence of each picked activity. Empty: complete."""
    rows = session.execute(
        select(ReviewMaterial.kind, ReviewMaterial.review_activity_id).where(
            ReviewMaterial.review_id == review.id
        )
    ).all()
    kinds = {row.kind for row in rows}
    with_evidence = {row.review_activity_id for row in rows if row.kind == v.MATERIAL_EVIDENCE}
    missing = []
    if review.cycle == PROGRESS_CYCLE:
        if v.MATERIAL_PROGRESS_REPORT not in kinds:
            missing.append("the progress report")
    elif v.MATERIAL_SELF_STUDY not in kinds:
        missing.append("the self-study report")
    for pick in _picks(session, review):
        if pick.id not in with_evidence:
            activity = pick.activity
            missing.append(
                f"evidence for activity {activity.provider_activity_id} ({activity.title})"
            )
    return missing


__all__ = [
    "ALLOWED_TYPES",
    "PIP_MAX",
    "MaterialSettings",
    "activities_of_term",
    "add_material",
    "check_file",
    "material_file",
    "missing_materials",
    "pick_activities",
    "remove_material",
    "settings_from",
    "unpick_activity",
]
