"""Batch upload screens: upload → report → preview → confirm, history, downloads, limits."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Activity, Upload
from tests.conftest import csrf_token

HEADER = "Provider Activity ID,Activity Title,Activity Format,Start Date,End Date\n"
GOOD = HEADER + "UP-001,Stroke Update 2027,Live Course,01/15/2027,01/16/2027\n"


def _post_file(client, provider_id, content: bytes, name: str = "activities.csv", **extra):
    data = {
        "csrf_token": csrf_token(client),
        "provider": str(provider_id),
        "file": (io.BytesIO(content), name),
        **extra,
    }
    return client.post("/uploads/add", data=data, content_type="multipart/form-data")


def _upload_id(response) -> int:
    match = re.search(r"/uploads/show/(\d+)", response.headers["Location"])
    assert match, response.headers.get("Location")
    return int(match.group(1))


def _uploads(provider) -> int:
    query = select(func.count()).select_from(Upload).where(Upload.provider_id == provider.id)
    return db.session.scalar(query)


def _activities(provider) -> int:
    query = select(func.count()).select_from(Activity).where(Activity.provider_id == provider.id)
    return db.session.scalar(query)


def test_contact_uploads_previews_and_confirms(client_for, world):
    client = client_for(world.contact_a)
    page = client.get("/uploads/add")
    assert page.status_code == 200
    assert "Austin Heart Institute" in page.get_data(as_text=True)
    response = _post_file(client, world.p1.id, GOOD.encode())
    assert response.status_code == 302
    upload_id = _upload_id(response)
    shown = client.get(f"/uploads/show/{upload_id}")
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert 'data-status="Ready to confirm"' in html
    assert "UP-001" in html and "New activity" in html
    assert _activities(world.p1) == 1  # nothing written yet
    token = csrf_token(client)
    done = client.post(f"/uploads/confirm/{upload_id}", data={"csrf_token": token})
    assert done.status_code == 302
    assert _activities(world.p1) == 2
    html = client.get(f"/uploads/show/{upload_id}").get_data(as_text=True)
    assert 'data-status="Committed"' in html
    history = client.get("/uploads/list/").get_data(as_text=True)
    assert "activities.csv" in history


def test_rejected_file_shows_every_problem_and_report_csv(client_for, world):
    client = client_for(world.contact_a)
    bad = (
        HEADER
        + "UP-002,,Live Course,13/45/2027,01/16/2027\nUP-003,Fine,Cooking Class,01/15/2027,01/16/2027\n"
    )
    upload_id = _upload_id(_post_file(client, world.p1.id, bad.encode()))
    html = client.get(f"/uploads/show/{upload_id}").get_data(as_text=True)
    assert 'data-status="Rejected"' in html
    assert "Start Date" in html and "Cooking Class" in html
    report = client.get(f"/uploads/report/{upload_id}")
    assert report.status_code == 200
    text = report.get_data(as_text=True)
    assert text.lstrip("\ufeff").splitlines()[0] == "Row,Column,Value,Message,Severity"
    assert "13/45/2027" in text
    original = client.get(f"/uploads/original/{upload_id}")
    assert original.status_code == 200 and original.data == bad.encode()
    assert _activities(world.p1) == 1


def test_other_contact_gets_404_everywhere(client_for, world):
    upload_id = _upload_id(_post_file(client_for(world.contact_a), world.p1.id, GOOD.encode()))
    other = client_for(world.contact_b)
    for url in (
        f"/uploads/show/{upload_id}",
        f"/uploads/report/{upload_id}",
        f"/uploads/original/{upload_id}",
    ):
        assert other.get(url).status_code == 404
    token = csrf_token(other)
    assert (
        other.post(f"/uploads/confirm/{upload_id}", data={"csrf_token": token}).status_code == 404
    )
    assert other.post(f"/uploads/cancel/{upload_id}", data={"csrf_token": token}).status_code == 404
    # and cannot upload for P1 (not one of their providers: not a valid choice)
    response = _post_file(other, world.p1.id, GOOD.encode())
    assert response.status_code == 400
    assert _uploads(world.p1) == 2  # the world's and A's


def test_oversize_request_is_413_before_parsing(client_for, world, app):
    client = client_for(world.contact_a)
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = _post_file(client, world.p1.id, b"x" * (limit + 1))
    assert response.status_code == 413
    assert "larger than" in response.get_data(as_text=True)
    assert _uploads(world.p1) == 1  # only the world's


@pytest.mark.parametrize(
    "name", ["../../etc/passwd.csv", "a\x00b.csv", "\u202ecod.csv", "<script>x</script>.csv"]
)
def test_file_name_is_never_a_path_and_shown_escaped(client_for, world, app, name):
    client = client_for(world.contact_a)
    upload_id = _upload_id(_post_file(client, world.p1.id, GOOD.encode(), name=name))
    upload = db.session.get(Upload, upload_id)
    assert "/" not in upload.original_name and "\x00" not in upload.original_name
    assert "\u202e" not in upload.original_name
    assert re.fullmatch(r"[0-9a-f]{32}\.upload", upload.stored_name)
    html = client.get(f"/uploads/show/{upload_id}").get_data(as_text=True)
    assert "<script>x</script>" not in html
    disposition = client.get(f"/uploads/original/{upload_id}").headers["Content-Disposition"]
    assert f"upload-{upload_id}.csv" in disposition


def test_accreditor_sees_history_but_cannot_upload(client_for, world):
    _post_file(client_for(world.contact_a), world.p1.id, GOOD.encode())
    ra = client_for(world.accreditor_tx)
    assert "activities.csv" in ra.get("/uploads/list/").get_data(as_text=True)
    assert ra.get("/uploads/add").status_code in (302, 403)


def test_cancel_writes_nothing(client_for, world):
    client = client_for(world.contact_a)
    upload_id = _upload_id(_post_file(client, world.p1.id, GOOD.encode()))
    client.post(f"/uploads/cancel/{upload_id}", data={"csrf_token": csrf_token(client)})
    assert db.session.get(Upload, upload_id).status == "Cancelled"
    again = client.post(f"/uploads/confirm/{upload_id}", data={"csrf_token": csrf_token(client)})
    assert again.status_code == 302
    assert _activities(world.p1) == 1


def test_same_file_again_is_recognised_and_changes_nothing(client_for, world):
    client = client_for(world.contact_a)
    first = _upload_id(_post_file(client, world.p1.id, GOOD.encode()))
    client.post(f"/uploads/confirm/{first}", data={"csrf_token": csrf_token(client)})
    second = _upload_id(_post_file(client, world.p1.id, GOOD.encode()))
    html = client.get(f"/uploads/show/{second}").get_data(as_text=True)
    assert 'data-testid="same-file"' in html
    upload = db.session.get(Upload, second)
    assert (upload.created, upload.updated, upload.unchanged) == (0, 0, 1)


#: (role, may see own uploads, may upload) for every role of the matrix.
ROLES = (
    ("contact_a", True, True),
    ("contact_b", True, True),
    ("accreditor_tx", True, False),
    ("surveyor", False, False),
    ("staff", True, True),
    ("admin", True, True),
    ("nobody", False, False),
    ("anonymous", False, False),
)
#: (own provider, foreign provider) per role: whose upload each role tries.
OWN_AND_FOREIGN = {
    "contact_a": ("p1", "p3"),
    "contact_b": ("p3", "p1"),
    "accreditor_tx": ("p1", "p3"),
    "surveyor": ("p3", "p1"),
    "staff": ("p1", "p3"),
    "admin": ("p1", "p3"),
    "nobody": ("p1", "p3"),
    "anonymous": ("p1", "p3"),
}


def _upload_of(provider) -> Upload:
    return db.session.scalars(select(Upload).where(Upload.provider_id == provider.id)).first()


def _expected(role, sees, may_upload, which, writes) -> int:
    if role == "anonymous":
        return 302
    if not (may_upload if writes else sees):
        return 403
    if which == "foreign" and role not in ("staff", "admin"):
        return 404
    return 302 if writes else 200


@pytest.mark.parametrize(("role", "sees", "may_upload"), ROLES)
def test_upload_routes_for_every_role(client_for, world, role, sees, may_upload):
    """The role matrix of the upload pages that take an upload: show, report, original
    download, confirm and cancel, on an own and a foreign upload."""
    user = None if role == "anonymous" else getattr(world, role)
    client = client_for(user)
    own_name, foreign_name = OWN_AND_FOREIGN[role]
    targets = {
        "foreign": _upload_of(getattr(world, foreign_name)).id,
        "own": _upload_of(getattr(world, own_name)).id,
    }
    mismatches = []
    for which, pk in targets.items():
        for method, writes in (
            ("show", False),
            ("report", False),
            ("original", False),
            ("confirm", True),
            ("cancel", True),
        ):
            url = f"/uploads/{method}/{pk}"
            if writes:
                response = client.post(url, data={"csrf_token": csrf_token(client)})
            else:
                response = client.get(url)
            expected = _expected(role, sees, may_upload, which, writes)
            if response.status_code != expected:
                mismatches.append(
                    f"{method} {which}: expected {expected}, got {response.status_code}"
                )
            if role == "anonymous":
                assert "/login" in response.headers.get("Location", "")
    assert not mismatches, mismatches
    if may_upload:
        assert _upload_of(getattr(world, own_name)).status == "Committed"
    assert _upload_of(getattr(world, foreign_name)).status in (
        ("Committed",) if role in ("staff", "admin") else ("Ready to confirm",)
    )


@pytest.mark.parametrize("error", ["operational", "integrity"])
def test_database_error_while_saving_is_told_without_sql(client_for, world, monkeypatch, error):
    """Check 23 for uploads: a database error while saving leaves nothing written and tells
    the user in plain words, without SQL, values of other rows or a stack trace."""
    from sqlalchemy.exc import IntegrityError, OperationalError

    from app.services import batch_write

    def fail(*args, **kwargs):
        statement = "INSERT INTO activity (title) VALUES ('P3 Secret Oncology Board')"
        cls = OperationalError if error == "operational" else IntegrityError
        raise cls(statement, {}, Exception("disk I/O error"))

    monkeypatch.setattr(batch_write, "insert_staged", fail)
    monkeypatch.setattr("app.services.uploads.insert_staged", fail)
    client = client_for(world.contact_a)
    upload_id = _upload_id(_post_file(client, world.p1.id, GOOD.encode()))
    client.post(f"/uploads/confirm/{upload_id}", data={"csrf_token": csrf_token(client)})
    page = client.get(f"/uploads/show/{upload_id}").get_data(as_text=True)
    assert "Nothing was written" in page
    for leak in ("INSERT", "Oncology", "disk I/O", "Traceback"):
        assert leak not in page
    assert db.session.get(Upload, upload_id).status == "Failed"
    assert _activities(world.p1) == 1
