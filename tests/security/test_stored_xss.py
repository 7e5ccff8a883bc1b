"""Check 18: stored XSS. Script, attribute-breaking and ``javascript:`` payloads stored in
an activity's title, joint providers and commercial support source, and in a provider's
name, come back escaped on the list, show and edit pages, in the lifecycle panel's list
of problems and in flashed messages; and no template or module of ours marks model data
as safe."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest

from app.extensions import db
from app.models import CommercialSupport
from app.schema import vocabularies as v
from tests import factories as f
from tests.conftest import World, csrf_token, post_form

PAYLOADS = ("<script>x</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)")
APP = Path(__file__).resolve().parents[2] / "app"
RAW_MARKERS = ("<script>x</script>", "<img src=x onerror=alert(1)>")


def assert_escaped(page: str, where: str) -> None:
    for marker in RAW_MARKERS:
        assert marker not in page, f"{where}: {marker!r} unescaped"
    assert 'href="javascript:' not in page, f"{where}: javascript: link"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_activity_and_provider_text_is_escaped(world: World, client_for: Any, payload: str) -> None:
    world.p1.name = f"Clinic {payload}"
    activity = f.ActivityFactory(
        provider=world.p1,
        status=v.DRAFT,
        title=f"Title {payload}",
        providership="Joint",
        joint_providers=[f"Partner {payload}"],
        commercial_support=True,
        description=None,
    )
    db.session.flush()
    db.session.add(
        CommercialSupport(
            activity_id=activity.id, source=f"Pharma {payload}", kind="Monetary", amount=None
        )
    )
    db.session.commit()
    client = client_for(world.contact_a)
    pages = {
        "list": f"/activitymodelview/list/?_flt_0_provider={world.p1.id}",
        "show": f"/activitymodelview/show/{activity.id}",
        "edit": f"/activitymodelview/edit/{activity.id}",
        "providers": "/providermodelview/list/",
        "home": "/",
        "my providers": "/account/providers",
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert_escaped(response.get_data(as_text=True), name)
    refused = post_form(
        client,
        f"/activitymodelview/status/{activity.id}",
        {"target": v.CLOSED, "expected_version": str(activity.version_id)},
    )
    page = client.get(refused.location).get_data(as_text=True)
    assert "cannot be Closed yet" in page
    assert_escaped(page, "status problems")


def test_no_template_or_module_marks_model_data_safe() -> None:
    """``|safe`` and ``Markup(`` are not used anywhere in PARS's own templates or code
    (Flask-AppBuilder's widgets are framework HTML)."""
    offenders = []
    for path in APP.rglob("*"):
        if path.suffix not in (".html", ".py") or "static" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\|\s*safe\b", text) or "Markup(" in text:
            offenders.append(str(path.relative_to(APP)))
    assert offenders == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_upload_file_name_and_report_are_escaped(
    world: World, client_for: Any, payload: str
) -> None:
    """An uploaded file's name and the values quoted in its report (error messages, the
    preview's titles and differences) come back escaped on the upload page, the history
    list, the flashed message and the report download (a CSV, never HTML)."""
    client = client_for(world.contact_a)
    header = "Provider Activity ID,Activity Title,Activity Format,Start Date,End Date\n"
    rows = (
        f"XSS-1,Title {payload},Live Course,01/15/2027,01/15/2027\n"
        f'XSS-2,Other,"{payload}",01/15/2027,01/15/2027\n'
    )
    # (Werkzeug's test client cannot send a double quote in a file name; browsers send %22.)
    unquoted = payload.replace('"', "'")
    for name in (f"{unquoted}.csv", "plain.csv"):
        response = client.post(
            "/uploads/add",
            data={
                "csrf_token": csrf_token(client),
                "provider": str(world.p1.id),
                "file": (io.BytesIO((header + rows).encode()), name),
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "is not an allowed value" in page
        assert_escaped(page, f"upload page of {name!r}")
    assert_escaped(client.get("/uploads/list/").get_data(as_text=True), "upload history")
    good = header + f"XSS-3,Title {payload},Live Course,01/15/2027,01/15/2027\n"
    response = client.post(
        "/uploads/add",
        data={
            "csrf_token": csrf_token(client),
            "provider": str(world.p1.id),
            "file": (io.BytesIO(good.encode()), f"{unquoted}.csv"),
        },
        content_type="multipart/form-data",
    )
    upload_page = response.headers["Location"]
    preview = client.get(upload_page).get_data(as_text=True)
    assert "Ready to confirm" in preview and "XSS-3" in preview
    assert_escaped(preview, "preview")
    pk = upload_page.rsplit("/", 1)[-1]
    client.post(f"/uploads/confirm/{pk}", data={"csrf_token": csrf_token(client)})
    assert_escaped(client.get(upload_page).get_data(as_text=True), "flash after confirm")
    report = client.get(f"/uploads/report/{pk}")
    assert report.mimetype == "text/csv"
