"""One digest per editor: records that are due for a check and open review items.

Sent through SMTP when ``LOKETWIJZER_SMTP_HOST`` is set; otherwise written to the
``outbox_message`` table for an administrator to pass on.
"""

from __future__ import annotations

import os
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from loketwijzer.actions.accounts import actor_for
from loketwijzer.actions.editing import now
from loketwijzer.actions.freshness import start_page
from loketwijzer.actions.review import open_items
from loketwijzer.models import OutboxMessage, User

MAX_LISTED = 30


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    sender: str = "loketwijzer@localhost"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> SmtpSettings | None:
        env = dict(os.environ if env is None else env)
        host = env.get("LOKETWIJZER_SMTP_HOST")
        if not host:
            return None
        return cls(host=host, port=int(env.get("LOKETWIJZER_SMTP_PORT") or 25),
                   user=env.get("LOKETWIJZER_SMTP_USER") or None,
                   password=env.get("LOKETWIJZER_SMTP_PASSWORD") or None,
                   starttls=env.get("LOKETWIJZER_SMTP_STARTTLS", "").lower() in {"1", "true"},
                   sender=env.get("LOKETWIJZER_SMTP_FROM") or "loketwijzer@localhost")


@dataclass
class ReminderReport:
    sent: int = 0
    outbox: int = 0
    skipped: int = 0


def digest_for(session: Session, user: User, *, stale_after_days: int, base_url: str
               ) -> str | None:
    actor = actor_for(user)
    due = [r for r in start_page(session, actor, stale_after_days=stale_after_days)
           if r["stale"]]
    items = open_items(session, actor)
    if not due and not items:
        return None
    lines = ["Goedendag,", "", "Dit is uw overzicht van Loketwijzer.", ""]
    if due:
        lines.append(f"{len(due)} hulpaanbod is langer dan een jaar niet gecontroleerd:")
        lines += [f"- {r['name']} ({base_url}/beheer/dienst/{r['id']})" for r in due[:MAX_LISTED]]
        lines.append("")
    if items:
        lines.append(f"{len(items)} meldingen wachten op uw beoordeling:")
        lines += [f"- {i['service']}: {i['kind']}" for i in items[:MAX_LISTED]]
        lines.append(f"Bekijk ze op {base_url}/beheer/beoordelen")
        lines.append("")
    lines.append("Klopt alles nog? Klik dan op 'Klopt nog' bij het hulpaanbod.")
    return "\n".join(lines)


def send_reminders(session: Session, *, smtp: SmtpSettings | None, stale_after_days: int = 365,
                   base_url: str = "http://127.0.0.1:5000") -> ReminderReport:
    report = ReminderReport()
    messages: list[EmailMessage] = []
    for user in session.scalars(select(User).where(User.disabled.is_(False))
                                .order_by(User.id)).all():
        body = digest_for(session, user, stale_after_days=stale_after_days,
                          base_url=base_url.rstrip("/"))
        if body is None:
            report.skipped += 1
            continue
        message = EmailMessage()
        message["To"] = user.email
        message["From"] = smtp.sender if smtp else "loketwijzer@localhost"
        message["Subject"] = "Loketwijzer: uw hulpaanbod om te controleren"
        message.set_content(body)
        messages.append(message)
    if smtp is None:
        for message in messages:
            session.add(OutboxMessage(recipient=message["To"], subject=message["Subject"],
                                      body=message.get_content(), created_at=now()))
            report.outbox += 1
        session.commit()
        return report
    if messages:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as client:
            if smtp.starttls:
                client.starttls()
            if smtp.user:
                client.login(smtp.user, smtp.password or "")
            for message in messages:
                client.send_message(message)
                report.sent += 1
    return report
