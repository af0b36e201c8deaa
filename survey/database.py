"""Engine tuning and the write-transaction helper shared by every service that writes.

SQLite: WAL, synchronous=FULL (durable commits), a busy timeout, and BEGIN IMMEDIATE for
write transactions. A deferred transaction that reads and then writes cannot wait for the
lock when another process committed in between (SQLITE_BUSY_SNAPSHOT fails at once, the
busy timeout does not help); taking the write lock at BEGIN makes such writers queue.
PostgreSQL needs none of this.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

try:
    import fcntl
except ImportError:  # not on Windows: threads still queue, processes use the busy handler
    fcntl = None

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, scoped_session

WRITE_OPTION = "survey_write"


def tune_engine(engine: Engine, busy_ms: int) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event below emit BEGIN instead of the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = conn.get_execution_options().get(WRITE_OPTION)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class _WriterQueue:
    """Writers to one SQLite file queue here, in the kernel and in order, instead of in
    SQLite's busy handler, which polls with sleeps of up to 100 ms: under several gunicorn
    workers that polling, not the work, set the pace. A thread lock orders the threads of one
    process, an flock() on a file beside the database orders the processes. SQLite's own
    lock still guards correctness (and any writer that does not queue here)."""

    _threads: dict[str, threading.Lock] = {}
    _guard = threading.Lock()

    def __init__(self, database: str):
        with self._guard:
            self.thread_lock = self._threads.setdefault(database, threading.Lock())
        self.path = database + ".writers"

    def __enter__(self):
        self.thread_lock.acquire()
        self.fd = None
        if fcntl is not None:
            try:
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.flock(self.fd, fcntl.LOCK_EX)
            except OSError:
                self._close()
        return self

    def _close(self):
        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor releases the flock
            self.fd = None

    def __exit__(self, *exc):
        self._close()
        self.thread_lock.release()


def _writer_queue(session: Session):
    bind = session.get_bind()
    database = bind.url.database if bind.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        return nullcontext()
    return _WriterQueue(os.path.abspath(database))


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """Run the block in a transaction that holds the write lock from its start (SQLite),
    commit it, or roll it back on error. Any read transaction still open is ended first."""
    if isinstance(session, scoped_session):
        session = session()
    if session.in_transaction():
        session.commit()
    with _writer_queue(session):
        session.connection(execution_options={WRITE_OPTION: True})
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def dialect_insert(bind: Session | Connection, table):
    """The dialect's INSERT, which knows ON CONFLICT (SQLite and PostgreSQL)."""
    dialect = (bind.dialect if isinstance(bind, Connection) else bind.get_bind().dialect).name
    return {"sqlite": sqlite.insert, "postgresql": postgresql.insert}[dialect](table)
