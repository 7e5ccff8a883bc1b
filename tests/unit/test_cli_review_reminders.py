"""``flask pars review-reminders``: the daily job that emails the reminders of review due
dates, and says how many it sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask

from app.extensions import db
from app.schema import vocabularies as v
from tests.conftest import World


def intent_due(world: World, due: dt.date) -> None:
    world.review_p3.stage = v.REVIEW_INTENT
    world.review_p3.intent_due = due
    db.session.commit()


def test_sends_the_reminders_of_the_day_once(app: Flask, world: World, inbox: Any) -> None:
    intent_due(world, dt.date(2026, 4, 1))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["pars", "review-reminders", "--today", "2026-03-02"])
    assert result.exit_code == 0, result.output
    assert "1 reminder(s) sent." in result.output
    [message] = inbox.wait_for(1)
    assert message.rcpt_tos == [world.contact_b.email]
    text = inbox.text(message)
    assert "Confirmation of Intent" in text and "04/01/2026" in text
    again = runner.invoke(args=["pars", "review-reminders", "--today", "2026-03-02"])
    assert "0 reminder(s) sent." in again.output
    assert len(inbox.messages) == 1


def test_runs_for_today_by_default(app: Flask, world: World, inbox: Any) -> None:
    intent_due(world, dt.date.today() + dt.timedelta(days=7))
    result = app.test_cli_runner().invoke(args=["pars", "review-reminders"])
    assert result.exit_code == 0, result.output
    assert "1 reminder(s) sent." in result.output
    assert "in 7 days" in inbox.text(inbox.wait_for(1)[0])


def test_nothing_due_sends_nothing(app: Flask, world: World, inbox: Any) -> None:
    intent_due(world, dt.date(2026, 5, 1))
    result = app.test_cli_runner().invoke(
        args=["pars", "review-reminders", "--today", "2026-03-02"]
    )
    assert result.exit_code == 0 and "0 reminder(s) sent." in result.output
    assert inbox.messages == []


def test_a_malformed_date_is_refused(app: Flask, world: World) -> None:
    result = app.test_cli_runner().invoke(
        args=["pars", "review-reminders", "--today", "03/02/2026"]
    )
    assert result.exit_code == 2 and "Invalid value for '--today'" in result.output
