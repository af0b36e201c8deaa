"""The audit log's actions in Dutch: known ones by their label, families by their pattern,
unknown ones as stored; the log filtered by one action."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from survey.admin.audit_labels import ACTIONS, action_label, detail_label, detail_value
from survey.extensions import db
from survey.services import accounts


@pytest.mark.parametrize(("action", "label"), [
    ("login", "aangemeld"),
    ("round publish", "bevraging gepubliceerd"),
    ("invitation sent", "uitnodigingen verstuurd"),
    ("reminder-2 sent", "herinnering 2 verstuurd"),
    ("reminder-1 sent (command line)", "herinnering 1 verstuurd (opdrachtregel)"),
    ("user created (command line)", "gebruiker aangemaakt (opdrachtregel)"),
    ("something new", "something new"),
    ("reminder-0 sent", "reminder-0 sent"),
])
def test_actions_in_words(app, action, label):
    with app.test_request_context():
        assert action_label(action) == label
        assert detail_label("rejected") == "geweigerd" and detail_label("x") == "x"


def test_every_label_is_dutch_text_not_the_key(app):
    with app.test_request_context():
        assert all(str(label) != key for key, label in ACTIONS.items())


def test_the_log_shows_labels_and_filters_by_action(app, inspector_client):
    with app.app_context():
        accounts.audit(db.session, None, "school e-mail changed", "Basisschool De Linde",
                       old="a@b.be", new="c@d.be", sent=True)
        accounts.audit(db.session, None, "a future action", "Iets")
        db.session.commit()
    html = inspector_client.get("/beheer/logboek").get_data(as_text=True)
    assert "<td>aangemeld</td>" in html, "the inspector's own sign-in"
    assert "<td>e-mailadres van een school verbeterd</td>" in html
    assert "oud: a@b.be, nieuw: c@d.be, verstuurd: ja" in html
    assert "<td>a future action</td>" in html
    assert '<option value="login">aangemeld</option>' in html
    only = inspector_client.get("/beheer/logboek?soort=a+future+action").get_data(
        as_text=True)
    assert "<td>a future action</td>" in only and "<td>aangemeld</td>" not in only


@pytest.mark.parametrize(("value", "shown"), [
    (["invitation_subject", "invitation_body"],
     "onderwerp van de uitnodiging, tekst van de uitnodiging"),
    (["a@b.be", "c@d.be"], "a@b.be, c@d.be"),
    ([], "—"),
    (None, "—"),
    (True, "ja"),
    (False, "nee"),
    (12, "12"),
    ("2027-06-02T07:00:00+00:00", "2 juni 2027 om 09:00"),   # summer time: UTC+2
    ("2027-01-05T07:00:00+00:00", "5 januari 2027 om 08:00"),
    ("all reports zip", "alle rapporten (zip)"),
    ("sheet", "resultatenblad"),
    ("not_submitted", "scholen die nog niet indienden"),
    ("invitation", "uitnodiging"),
    ("reminder-1", "herinnering 1"),
    ("resend-2", "uitnodiging opnieuw verstuurd (2)"),
    ("Basisschool De Linde", "Basisschool De Linde"),
    ("2027-06-02", "2027-06-02"),
])
def test_detail_values_in_words(app, value, shown):
    with app.test_request_context():
        assert detail_value(value) == shown


def test_the_log_shows_values_in_words(app, inspector_client):
    with app.app_context():
        accounts.audit(db.session, None, "round edited", "Testbevraging",
                       changed=["invitation_subject", "invitation_body"], left_out=[],
                       due_at="2027-06-02T07:00:00+00:00", kind="all reports zip",
                       message="reminder-1", source=None)
        db.session.commit()
    html = inspector_client.get("/beheer/logboek").get_data(as_text=True)
    # (each on its own: PostgreSQL may keep the details in another order)
    for part in ("gewijzigd: onderwerp van de uitnodiging, tekst van de uitnodiging",
                 "left_out: —", "tijdstip: 2 juni 2027 om 09:00",
                 "soort: alle rapporten (zip)", "bericht: herinnering 1", "bron: —"):
        assert part in html, part
    assert "[" not in html.split("<tbody>")[1].split("</tbody>")[0]


# an audit call with its action written out: audit(session, actor, "action", ...), or a
# scheduled step's _audited("action", ...)
_AUDIT_CALL = re.compile(r'(?:\baudit|_audited)\(\s*(?:[^,()"]+,\s*[^,()"]+,\s*)?"([^"]+)"')


def test_every_action_written_in_the_code_has_a_label(app):
    source = Path(__file__).resolve().parents[1] / "survey"
    actions = {match.group(1) for path in source.rglob("*.py")
               for match in _AUDIT_CALL.finditer(path.read_text(encoding="utf-8"))}
    assert {"access codes made", "round created", "round open"} <= actions
    with app.test_request_context():
        assert [a for a in sorted(actions) if action_label(a) == a] == []
        assert action_label("access codes made") == "codes gemaakt"
        assert (detail_label("school"), detail_label("codes")) == ("school", "codes")
        assert detail_value(["audience", "access"]) == \
            "wie antwoordt, met codes of persoonlijke links"
