"""``flask pars require-new-password``: accounts brought over from a legacy system choose a
new password at their next sign-in."""

from __future__ import annotations

from typing import Any

from app.extensions import db
from app.models import User
from tests.conftest import World, login


def test_marks_accounts_and_names_unknown_addresses(
    app: Any, world: World, client_for: Any
) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["pars", "require-new-password", "CONTACT.A@example.test", "nobody.here@example.test"]
    )
    assert result.exit_code != 0
    assert "1 account(s)" in result.output and "nobody.here@example.test" in result.output
    db.session.expire_all()
    assert db.session.get(User, world.contact_a.id).must_set_password is True
    assert db.session.get(User, world.contact_b.id).must_set_password is False
    assert login(client_for(None), world.contact_a.email).location == "/account/first-password"


def test_all_known_addresses_exit_zero(app: Any, world: World) -> None:
    result = app.test_cli_runner().invoke(
        args=["pars", "require-new-password", world.contact_b.email]
    )
    assert result.exit_code == 0, result.output
