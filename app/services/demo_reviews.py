"""The demo surveyor's review comes with something to read: a self-study report and
three activities of the term picked for performance-in-practice review, each with its
evidence (small generated PDF files, stored like any review material)."""

from __future__ import annotations

import hashlib

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Activity, Review, ReviewActivity, ReviewEvent, ReviewMaterial
from app.schema import vocabularies as v
from app.services import review_materials
from app.services.clock import utcnow

PICKED = 3


def demo_pdf(title: str) -> bytes:
    """A one-page PDF that shows ``title`` (enough for any PDF reader)."""
    text = title.replace("\\", "").replace("(", "").replace(")", "")
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def add_demo_materials(session: Session, review: Review) -> int:
    """The self-study report and three picked activities with evidence; the number of
    files written."""
    settings = review_materials.settings_from(current_app.config)
    _material(session, review, settings, v.MATERIAL_SELF_STUDY, "Self-study report.pdf", None)
    query = (
        select(Activity)
        .where(Activity.provider_id == review.provider_id)
        .order_by(Activity.start_date.desc())
        .limit(PICKED)
    )
    if review.term_start is not None and review.term_end is not None:
        query = query.where(
            Activity.start_date <= review.term_end, Activity.end_date >= review.term_start
        )
    picked = 0
    for activity in session.scalars(query):
        pick = ReviewActivity(
            review_id=review.id, activity_id=activity.id, selected_at=utcnow(), selected_by=None
        )
        session.add(pick)
        session.flush()
        name = f"Activity file {activity.provider_activity_id}.pdf"
        _material(session, review, settings, v.MATERIAL_EVIDENCE, name, pick.id)
        picked += 1
    session.add(
        ReviewEvent(
            review_id=review.id,
            at=utcnow(),
            action="materials submitted",
            detail=f"self-study report and evidence for {picked} activities (demo data)",
        )
    )
    return 1 + picked


def _material(
    session: Session,
    review: Review,
    settings: review_materials.MaterialSettings,
    kind: str,
    name: str,
    pick_id: int | None,
) -> None:
    content = demo_pdf(name.removesuffix(".pdf"))
    path = review_materials.store_file(settings.directory, content)
    session.add(
        ReviewMaterial(
            review_id=review.id,
            review_activity_id=pick_id,
            kind=kind,
            display_name=name,
            stored_name=path.name,
            extension="pdf",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_at=utcnow(),
            uploaded_by=None,
        )
    )
