"""``flask --app webapp users ...`` and ``reminders send`` (issue 10)."""

from __future__ import annotations

import click
from flask import Flask, current_app, has_request_context, request
from flask.cli import AppGroup

from loketwijzer.actions import accounts
from loketwijzer.actions.reminders import SmtpSettings, send_reminders
from loketwijzer.auth import SYSTEM
from loketwijzer.errors import ActionError
from loketwijzer.models.accounts import ROLES
from webapp.db import get_db

DEFAULT_BASE_URL = "http://127.0.0.1:5000"  # what `make run` serves


def base_url() -> str:
    """The base of links in messages: LOKETWIJZER_PUBLIC_URL (the one public-URL setting),
    else the current request's host (already checked against the trusted hosts), else
    the local server."""
    public_url = current_app.config["LOKETWIJZER"].public_url
    if public_url:
        return public_url.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return DEFAULT_BASE_URL


def set_password_link(token: str) -> str:
    return f"{base_url()}/beheer/wachtwoord/{token}"


def _ensure_schema() -> None:
    """Bring a migrated database up to date (an older copy may lack the account tables)."""
    from sqlalchemy import inspect

    db = get_db()
    if inspect(db.engine).has_table("alembic_version"):
        db.upgrade()


def _fail(exc: ActionError) -> None:
    click.echo(f"Fout: {exc.message}", err=True)
    raise SystemExit(1)


def register(app: Flask) -> None:
    users = AppGroup("users", help="Accounts van beheerders.")
    reminders = AppGroup("reminders", help="Herinneringen aan beheerders.")

    @users.command("add")
    @click.argument("email")
    @click.option("--role", type=click.Choice(ROLES), required=True)
    @click.option("--municipality", help="CBS-code, zoals GM0363 (bij --role municipality).")
    @click.option("--organization", help="Id van de organisatie (bij --role organization).")
    def add(email: str, role: str, municipality: str | None, organization: str | None) -> None:
        """Add an account; prints a one-time link to set the password."""
        _ensure_schema()
        with get_db().session() as session:
            try:
                new = accounts.create_user(session, SYSTEM, email, role,
                                           municipality=municipality,
                                           organization=organization)
            except ActionError as exc:
                _fail(exc)
            click.echo(f"Account gemaakt: {new.user.email} ({new.user.role})")
            click.echo("Eenmalige link om het wachtwoord in te stellen (72 uur geldig):")
            click.echo(set_password_link(new.set_password_token))

    @users.command("token")
    @click.argument("email")
    def token(email: str) -> None:
        """Print a new personal API token (on the last line)."""
        with get_db().session() as session:
            try:
                value = accounts.issue_token(session, SYSTEM, email)
            except ActionError as exc:
                _fail(exc)
            click.echo("Nieuwe API-sleutel (bewaar hem goed, hij wordt niet opnieuw getoond):")
            click.echo(value)

    @users.command("revoke-tokens")
    @click.argument("email")
    def revoke(email: str) -> None:
        """Revoke every API token of an account."""
        with get_db().session() as session:
            try:
                n = accounts.revoke_tokens(session, SYSTEM, email)
            except ActionError as exc:
                _fail(exc)
            click.echo(f"{n} sleutel(s) ingetrokken.")

    @users.command("list")
    def list_() -> None:
        """List accounts."""
        with get_db().session() as session:
            for u in accounts.list_users(session, SYSTEM):
                scope = u["municipality"] or u["organization"] or "-"
                state = "uitgeschakeld" if u["disabled"] else (
                    "geblokkeerd" if u["locked"] else ("actief" if u["has_password"]
                                                       else "wacht op wachtwoord"))
                click.echo(f"{u['email']}\t{u['role']}\t{scope}\t{state}")

    @users.command("disable")
    @click.argument("email")
    def disable(email: str) -> None:
        """Disable an account and revoke its tokens."""
        with get_db().session() as session:
            try:
                user = accounts.disable_user(session, SYSTEM, email)
            except ActionError as exc:
                _fail(exc)
            click.echo(f"Uitgeschakeld: {user.email}")

    @users.command("reset-password")
    @click.argument("email")
    def reset(email: str) -> None:
        """Print a new one-time link to set the password."""
        with get_db().session() as session:
            try:
                value = accounts.reset_link(session, SYSTEM, email)
            except ActionError as exc:
                _fail(exc)
            click.echo(set_password_link(value))

    @reminders.command("send")
    def send() -> None:
        """E-mail each editor one digest (SMTP from the environment, else the outbox)."""
        settings = current_app.config["LOKETWIJZER"]
        with get_db().session() as session:
            report = send_reminders(session, smtp=SmtpSettings.from_env(),
                                    stale_after_days=settings.stale_after_days,
                                    base_url=base_url())
        click.echo(f"verstuurd: {report.sent}, in outbox: {report.outbox}, "
                   f"niets te melden: {report.skipped}")

    app.cli.add_command(users)
    app.cli.add_command(reminders)
