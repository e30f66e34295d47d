"""Optional e-mail copies of notifications over SMTP (off unless a host is configured).

Messages are sent by the worker, never inside a user's request: a slow or failing mail
server cannot slow an approval down or undo it. Each message is claimed (marked sent) in a
short transaction before sending and put back if the send fails, so parallel workers never
send one twice; a worker killed between the claim and the send loses that one e-mail (the
in-app message stays). Only messages of the last day are sent, so switching e-mail on does
not flood anybody with old news.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy.orm import Session

from workflows.engine.locking import begin_write
from workflows.notify import notifications

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mailer:
    host: str
    port: int = 25
    sender: str = "orgflow@localhost"
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    use_ssl: bool = False
    timeout: float = 10.0
    base_url: str | None = None  # e.g. https://orgflow.example.cn, for the link in each message

    def message(self, to: str, title: str, body: str | None) -> EmailMessage:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.sender, to, title
        lines = [title, "", body or ""]
        if self.base_url:
            lines += ["", f"请登录 OrgFlow 查看：{self.base_url}"]
        msg.set_content("\n".join(lines).strip() + "\n", charset="utf-8")
        return msg

    def connect(self) -> smtplib.SMTP:
        if self.use_ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                                  context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
        if self.username:
            smtp.login(self.username, self.password or "")
        return smtp


def send_pending(session: Session, mailer: Mailer, batch: int = 50) -> int:
    """Send unsent notification e-mails in batches; returns how many went out."""
    sent = 0
    while True:
        begin_write(session)
        claimed = notifications.claim_emails(session, batch)
        session.commit()
        if not claimed:
            return sent
        ok = _send_batch(session, mailer, claimed)
        sent += ok
        if ok < len(claimed) or len(claimed) < batch:  # a failure waits for the next pass
            return sent


def _send_batch(session: Session, mailer: Mailer, claimed: list[tuple[int, str, str, str | None]]) -> int:
    failed: list[int] = []
    try:
        with mailer.connect() as smtp:
            for nid, address, title, body in claimed:
                try:
                    smtp.send_message(mailer.message(address, title, body))
                except smtplib.SMTPException:
                    log.exception("e-mail of notification %s to %s failed", nid, address)
                    failed.append(nid)
    except (OSError, smtplib.SMTPException):
        log.exception("cannot reach the SMTP server %s:%s", mailer.host, mailer.port)
        failed = [nid for nid, *_ in claimed]
    if failed:
        begin_write(session)
        for nid in failed:
            notifications.release_email(session, nid)
        session.commit()
    return len(claimed) - len(failed)
