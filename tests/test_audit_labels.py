"""The audit log's actions in Dutch: known ones by their label, families by their pattern,
unknown ones as stored; the log filtered by one action."""

from __future__ import annotations

import pytest

from survey.admin.audit_labels import ACTIONS, action_label, detail_label
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
