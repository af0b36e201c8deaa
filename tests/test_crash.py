"""Nothing acknowledged is lost when the server dies: schools autosave against gunicorn,
a worker is killed with SIGKILL, then the whole server; after a restart every answer that
was acknowledged with a 2xx is in the database, and every school can finish."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import select

from survey.extensions import db
from survey.models import Answer, Response

SCHOOLS = 12


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, database_url: str, instance: Path):
        self.port = _free_port()
        self.env = {**{k: v for k, v in os.environ.items() if not k.startswith("SURVEY_")},
                    "SURVEY_DATABASE_URL": database_url, "SURVEY_INSTANCE_PATH": str(instance),
                    "SURVEY_SECRET_KEY": "crash-test-" * 4, "SURVEY_ENV": "production"}
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.proc = subprocess.Popen(
            [str(gunicorn), "survey:create_app()", "--bind", f"127.0.0.1:{self.port}",
             "--workers", "2", "--worker-class", "gthread", "--threads", "2"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(p) for p in children.read_text().split()]

    def kill_all(self) -> None:
        for pid in [*self.workers(), self.proc.pid]:
            os.kill(pid, signal.SIGKILL)
        self.proc.wait(10)


class School:
    """One school's browser: its cookie, CSRF token and form ticket."""

    def __init__(self, server: Server, token: str):
        self.server, self.cookie = server, ""
        answer = self._request("GET", f"/s/{token}")
        assert answer.status == 303
        page = self._request("GET", "/vragenlijst").read().decode()
        self.csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        self.ticket = re.search(r'name="ticket" value="([^"]+)"', page).group(1)

    def _request(self, method: str, path: str, form: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        answer = conn.getresponse()
        if cookie := answer.getheader("Set-Cookie"):
            self.cookie = cookie.split(";")[0]
        return answer

    def save(self, item: int, value: int) -> bool:
        """True when the server acknowledged the answer with a 2xx."""
        try:
            answer = self._request("POST", "/vragenlijst/autosave", {
                "csrf_token": self.csrf, "ticket": self.ticket, "field": f"s{item}",
                "value": str(value)})
            answer.read()
            return 200 <= answer.status < 300
        except (OSError, http.client.HTTPException):
            return False

    def submit(self, answers: dict[int, int]) -> int:
        form = {"csrf_token": self.csrf, "ticket": self.ticket, "action": "submit"}
        form.update({f"s{n}": str(v) for n, v in answers.items()})
        return self._request("POST", "/vragenlijst", form).status


def test_acknowledged_answers_survive_killed_workers_and_a_killed_server(
        app, database_url, make_round, make_invited, questionnaire, tmp_path):
    round_id = make_round()
    invited = [make_invited(round_id) for _ in range(SCHOOLS)]
    numbers = [s.number for s in questionnaire.statements]
    server = Server(database_url, tmp_path / "instance")
    server.start()
    try:
        schools = [School(server, inv.token) for inv in invited]
        acknowledged: dict[int, dict[int, int]] = {inv.invitation_id: {} for inv in invited}
        stop = threading.Event()

        def keep_saving(k: int) -> None:
            school, inv = schools[k], invited[k]
            for step, item in enumerate(numbers):
                if stop.is_set():
                    return
                value = (k + step) % 5
                if school.save(item, value):
                    acknowledged[inv.invitation_id][item] = value

        threads = [threading.Thread(target=keep_saving, args=(k,)) for k in range(SCHOOLS)]
        for t in threads:
            t.start()
        time.sleep(0.3)
        os.kill(server.workers()[0], signal.SIGKILL)       # one worker dies mid-flight
        time.sleep(0.3)
        server.kill_all()                                   # then the whole server
        stop.set()
        for t in threads:
            t.join(30)
        server.start()                                      # and comes back
        with app.app_context():
            stored = {}
            for inv_id, item, value in db.session.execute(
                    select(Response.invitation_id, Answer.item, Answer.value)
                    .join(Answer, Answer.response_id == Response.id)):
                stored.setdefault(inv_id, {})[item] = value
            db.session.rollback()
        for inv_id, given in acknowledged.items():
            for item, value in given.items():
                assert stored.get(inv_id, {}).get(item) == value, (inv_id, item)
        total = sum(len(g) for g in acknowledged.values())
        print(f"acknowledged {total} of {SCHOOLS * len(numbers)} saves before the server died")
        assert total > 0, "some saves were acknowledged"
        # every school finishes on the restarted server with the session it had
        for school in schools:
            assert school.submit({n: 4 for n in numbers}) == 303
        with app.app_context():
            submitted = db.session.scalars(select(Response.status)).all()
        assert submitted.count("submitted") == SCHOOLS
    finally:
        if server.proc and server.proc.poll() is None:
            server.kill_all()
