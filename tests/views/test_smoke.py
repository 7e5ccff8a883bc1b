"""First checks that each role reaches its pages."""

from tests.conftest import World


def test_contact_sees_own_activities_only(client_for, world: World) -> None:
    client = client_for(world.contact_a)
    page = client.get("/activitymodelview/list/")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "P1 Sepsis Update" in body and "P2 Heart Failure Summit" in body
    assert "P3 Secret Oncology Board" not in body


def test_contact_gets_404_for_foreign_activity(client_for, world: World) -> None:
    client = client_for(world.contact_a)
    assert client.get(f"/activitymodelview/show/{world.a3.id}").status_code == 404
    assert client.get(f"/activitymodelview/show/{world.a1.id}").status_code == 200
