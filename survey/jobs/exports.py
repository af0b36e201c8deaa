"""A job's body: write one large export of a round (all answers as CSV, .xlsx or .sav)
into the instance folder, for the console to offer as a download once it is done."""

from __future__ import annotations

from flask import Flask

from .queue import Progress
from .records import Claimed


def run(app: Flask, job: Claimed, progress: Progress) -> str:
    raise NotImplementedError
