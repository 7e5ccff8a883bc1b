"""``flask pars ...``: setup and data commands for staff, integrators and developers."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import with_appcontext

from app.extensions import db


@click.group()
def pars() -> None:
    """PARS administration commands."""


@pars.command("sync-roles")
@with_appcontext
def sync_roles_command() -> None:
    """Create the five PARS roles and set their permissions (safe to run again)."""
    from app.security.permissions import sync_roles
    from app.views import MENU

    counts = sync_roles(current_app.appbuilder, MENU)
    for role, count in counts.items():
        click.echo(f"{role}: {count} permissions")


@pars.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the deterministic demo data and the demo accounts (once; safe to repeat)."""
    from app.services.demo import DEMO_PASSWORD, load_demo
    from app.services.errors import MissingRoleError

    try:
        summary = load_demo(db.session)
    except MissingRoleError as error:
        raise click.ClickException(str(error)) from None
    for line in summary.lines():
        click.echo(line)
    click.echo(f"Demo password for every account: {DEMO_PASSWORD}")


@pars.command("generate")
@click.option("--providers", type=click.IntRange(1, 100_000), default=1700, show_default=True)
@click.option(
    "--activities", type=click.IntRange(0, 50_000_000), default=1_000_000, show_default=True
)
@click.option("--seed", type=int, default=2026, show_default=True)
@with_appcontext
def generate_command(providers: int, activities: int, seed: int) -> None:
    """Write realistic synthetic providers and activities in bulk (for scale tests)."""
    from app.services.errors import MissingRoleError
    from app.services.synthetic import generate

    try:
        result = generate(
            db.session, providers=providers, activities=activities, seed=seed, progress=click.echo
        )
    except MissingRoleError as error:
        raise click.ClickException(str(error)) from None
    click.echo(result)


@pars.command("require-new-password")
@click.argument("emails", nargs=-1, required=True)
@with_appcontext
def require_new_password_command(emails: tuple[str, ...]) -> None:
    """Mark accounts (by email) to choose a new password at their next sign-in, e.g.
    accounts brought over from a legacy system."""
    from app.services.accounts import require_new_password

    marked, unknown = require_new_password(db.session, list(emails))
    click.echo(f"{marked} account(s) will choose a new password at their next sign-in.")
    if unknown:
        raise click.ClickException("No account uses: " + ", ".join(unknown))


@pars.command("template")
@click.option("--format", "kind", type=click.Choice(["xlsx", "csv"]), required=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True), required=True)
def template_command(kind: str, out: str) -> None:
    """Write the activity batch-upload template (from the activity schema) to OUT."""
    from app.exporters.templates import csv_template, xlsx_template

    content = xlsx_template() if kind == "xlsx" else csv_template()
    with open(out, "wb") as handle:
        handle.write(content)
    click.echo(f"Wrote the {kind.upper()} template to {out}.")


@pars.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--provider", "provider_id", required=True, help="ACCME Provider ID (7 digits).")
@click.option("--dry-run", is_flag=True, help="Check the file and show the report; save nothing.")
@with_appcontext
def import_command(path: str, provider_id: str, dry_run: bool) -> None:
    """Upload an activity file (xlsx, csv, txt or xml) for a provider, as ACCME staff.

    Prints the counts (created, updated, unchanged, rejected) and every problem; exits
    with status 1 when the file is rejected, so scripts can tell."""
    from app.services.batch_import import run_import

    outcome = run_import(path, provider_id, dry_run=dry_run, echo=click.echo)
    if not outcome:
        raise SystemExit(1)


@pars.command("seed-criteria")
@with_appcontext
def seed_criteria_command() -> None:
    """Add the accreditation criteria the catalogue lacks (safe to run again; staff edits
    are kept)."""
    from app.services.criteria import seed_criteria

    click.echo(f"{seed_criteria(db.session)} criteria added.")


@pars.command("review-reminders")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Run as on this day (YYYY-MM-DD); default: today.",
)
@with_appcontext
def review_reminders_command(today: dt.datetime | None) -> None:
    """Email the reminders of accreditation reviews due today: Confirmation of Intent and
    materials (30, 7 and 1 days ahead) and interviews (7 and 1 days). Meant for a daily
    cron job: a reminder already sent is never sent again."""
    from app.services.review_mail import send_due_reminders

    day = today.date() if today else dt.date.today()
    sent = send_due_reminders(db.session, day)
    click.echo(f"{sent} reminder(s) sent.")
