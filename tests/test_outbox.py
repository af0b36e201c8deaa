"""The console's outbox: without a mail server the mails written as .eml files in the
instance outbox are listed, newest first, with subject, addressee, date and text; with a
mail server the page does not exist."""

from __future__ import annotations

import os
from email.message import EmailMessage
from pathlib import Path

from survey.extensions import db
from survey.mailer import OutboxTransport, transport_for
from survey.models import Round
from survey.services import mailing


def _outbox(app) -> Path:
    return Path(app.instance_path) / "outbox"


def _write(folder: Path, n: int, subject: str, when: float) -> None:
    message = EmailMessage()
    message["Subject"], message["To"] = subject, f"school{n}@example.org"
    message["From"], message["Message-ID"] = "noreply@survey.test", f"<m{n}@survey.test>"
    message.set_content(f"Beste school {n},\n\nTekst met é en een link.\n")
    with OutboxTransport(folder) as transport:
        transport.send(message)
    os.utime(folder / f"m{n}_survey.test.eml", (when, when))


def test_the_invitations_of_a_round_are_shown(app, inspector_client, invited):
    with app.app_context():
        transport = transport_for(app.config, app.instance_path)
        assert isinstance(transport, OutboxTransport) and transport.folder == _outbox(app)
        report = mailing.send(db.session, db.session.get(Round, invited.round_id),
                              "invitation", transport, base_url="http://survey.test",
                              sender="Onderwijsinspectie <noreply@survey.test>")
    assert report.sent == 1
    html = inspector_client.get("/beheer/uitgaande-post").get_data(as_text=True)
    assert str(_outbox(app)) in html and "1 mail<" in html
    assert "Testschool 1 &lt;directie@example.org&gt;" in html
    assert "http://survey.test/s/" in html, "the text, with its link"


def test_newest_first_paged_and_decoded(app, inspector_client):
    folder = _outbox(app)
    for n in range(30):
        _write(folder, n, f"Onderwerp {n:02d} – één", 1_800_000_000 + n * 60)
    first = inspector_client.get("/beheer/uitgaande-post").get_data(as_text=True)
    assert "30 mails" in first and "pagina 1 van 2" in first
    assert first.index("Onderwerp 29 – één") < first.index("Onderwerp 28 – één")
    assert "Onderwerp 04" not in first and "Tekst met é en een link." in first
    second = inspector_client.get("/beheer/uitgaande-post?pagina=2").get_data(as_text=True)
    assert [f"Onderwerp {n:02d}" in second for n in (4, 0, 5)] == [True, True, False]


def test_an_empty_outbox_says_so(inspector_client):
    html = inspector_client.get("/beheer/uitgaande-post").get_data(as_text=True)
    assert "Nog geen mails." in html


def test_with_a_mail_server_there_is_no_outbox(app, inspector_client):
    app.config.update(SURVEY_SMTP_HOST="127.0.0.1")
    assert inspector_client.get("/beheer/uitgaande-post").status_code == 404
