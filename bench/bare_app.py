"""The yardstick for bench/submit.py: a bare Flask POST endpoint, served by the same gunicorn
settings as the real app, so the ratio between them shows what the survey itself costs."""

from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.post("/bare")
    def bare():
        return "ok"

    return app
