"""SQLite settings (docs/reliability.md §3a) and the write_transaction contract."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from accounts.models import User
from core.db import db, write_transaction


@pytest.mark.sqlite
def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(app):
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_default_database_lives_in_the_instance_folder(tmp_path, monkeypatch):
    from app import create_app

    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("/instance/app.db")


def test_database_url_switches_the_database(monkeypatch):
    from app import create_app

    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://app@db.example/civic")
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://app@db.example/civic"


def test_the_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    import app as app_module

    key_file = tmp_path / "secret_key"
    first = app_module._secret_key(tmp_path)
    assert len(first) == 64 and key_file.stat().st_mode & 0o777 == 0o600
    assert app_module._secret_key(tmp_path) == first


def test_write_transaction_commits_on_success_and_rolls_back_on_error(app):
    with write_transaction():
        db.session.add(User(email="kept@example.org", display_name="Kept"))
    with pytest.raises(RuntimeError), write_transaction():
        db.session.add(User(email="lost@example.org", display_name="Lost"))
        db.session.flush()
        raise RuntimeError("boom")
    emails = db.session.scalars(select(User.email)).all()
    assert emails == ["kept@example.org"]


def test_what_the_request_read_before_the_write_lock_is_read_again_under_it(app):
    from sqlalchemy import update

    with write_transaction():
        db.session.add(User(email="reader@example.org", display_name="Before"))
    db.session.remove()
    user = db.session.scalars(select(User)).one()  # the request's read transaction
    assert user.display_name == "Before"
    with db.engine.begin() as elsewhere:  # another writer, after this request read it
        elsewhere.execute(update(User).values(display_name="Renamed"))
    with write_transaction():
        assert user.display_name == "Renamed"


def test_foreign_keys_are_enforced(app):
    from sqlalchemy.exc import IntegrityError

    from accounts.models import UserRole

    with pytest.raises(IntegrityError), write_transaction():
        db.session.add(UserRole(user_id=999, role="admin"))
    assert db.session.scalar(select(func.count()).select_from(UserRole)) == 0


def test_workers_starting_together_agree_on_one_secret_key(tmp_path):
    import subprocess
    import sys

    probe = f"import app; print(app._secret_key(__import__('pathlib').Path({str(tmp_path)!r})))"
    workers = [subprocess.Popen([sys.executable, "-c", probe], stdout=subprocess.PIPE,
                                text=True, cwd=app_root()) for _ in range(6)]
    keys = {worker.communicate(timeout=60)[0].strip() for worker in workers}
    assert len(keys) == 1 and len(keys.pop()) == 64


def app_root():
    from pathlib import Path

    return Path(__file__).resolve().parents[2]


def test_an_app_without_a_configured_key_uses_the_one_in_its_instance_folder(tmp_path):
    from app import create_app

    first = create_app({"TESTING": True}, instance_path=str(tmp_path))
    key = (tmp_path / "secret_key").read_text().strip()
    assert first.config["SECRET_KEY"] == key and len(key) == 64
    again = create_app({"TESTING": True}, instance_path=str(tmp_path))
    assert again.config["SECRET_KEY"] == key  # sessions survive a restart


def test_instance_config_py_is_read_and_the_environment_overrides_it(tmp_path, monkeypatch):
    from app import create_app

    (tmp_path / "config.py").write_text(
        "SECRET_KEY = 'from-config-py'\nPETITIONS_ANONYMISE_AFTER_DAYS = 42\n"
        "MAIL_SERVER = 'smtp.config.example'\n")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SECRET_KEY"] == "from-config-py"
    assert app.config["PETITIONS_ANONYMISE_AFTER_DAYS"] == 42
    assert not (tmp_path / "secret_key").exists()  # a configured key is never replaced
    monkeypatch.setenv("MAIL_SERVER", "smtp.env.example")
    monkeypatch.setenv("FLASK_PETITIONS_ANONYMISE_AFTER_DAYS", "7")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["MAIL_SERVER"] == "smtp.env.example"
    assert app.config["PETITIONS_ANONYMISE_AFTER_DAYS"] == 7


# --- writers queue on a file lock and commit by group commit (README, reliability) ------

HOLD_LOCK = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(60)
"""


def _file_app(tmp_path, **config):
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.db'}",
                      "SECRET_KEY": "test", **config}, instance_path=str(tmp_path))
    with app.app_context():
        db.create_all()
    return app


@pytest.mark.sqlite
def test_a_writer_waits_for_the_lock_file_and_goes_on_when_its_holder_is_killed(tmp_path):
    import signal
    import subprocess
    import sys
    import threading

    app = _file_app(tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(tmp_path / "app.db-writer")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        done = threading.Event()

        def write():
            with app.app_context(), write_transaction():
                db.session.add(User(email="queued@example.org", display_name="Queued"))
            done.set()

        writer = threading.Thread(target=write)
        writer.start()
        assert not done.wait(1.0)  # queued behind the other process's lock
        holder.send_signal(signal.SIGKILL)  # the kernel releases a dead holder's lock
        assert done.wait(30)
        writer.join()
    finally:
        holder.kill()
        holder.wait()
    with app.app_context():
        assert db.session.scalars(select(User.email)).all() == ["queued@example.org"]


@pytest.mark.sqlite
def test_write_transactions_of_many_threads_run_one_at_a_time(tmp_path):
    import threading
    import time

    app = _file_app(tmp_path)
    inside, most, lock = [0], [0], threading.Lock()

    def write(i):
        with app.app_context(), write_transaction():
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.005)
            db.session.add(User(email=f"w{i}@example.org", display_name="W"))
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=write, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 20


@pytest.mark.sqlite
def test_full_sync_fsyncs_the_wal_after_the_commit_and_before_returning(tmp_path, monkeypatch):
    """Group commit: the COMMIT of a write transaction skips SQLite's fsync (NORMAL), and the
    WAL is fsynced after the lock is released but before write_transaction returns; any other
    transaction keeps FULL."""
    import os
    import sqlite3

    import core.db

    app = _file_app(tmp_path)
    synced = []
    real_fdatasync = os.fdatasync

    def fdatasync(fd):
        seen = sqlite3.connect(tmp_path / "app.db").execute(
            "SELECT count(*) FROM users").fetchone()[0]
        synced.append((os.readlink(f"/proc/self/fd/{fd}"), seen))
        real_fdatasync(fd)

    monkeypatch.setattr(core.db.os, "fdatasync", fdatasync)
    with app.app_context():
        assert db.session.scalar(text("PRAGMA synchronous")) == 2  # FULL outside
        db.session.commit()
        with write_transaction():
            assert db.session.scalar(text("PRAGMA synchronous")) == 1
            db.session.add(User(email="durable@example.org", display_name="Durable"))
            assert synced == []
        assert synced == [(str(tmp_path / "app.db-wal"), 1)]  # committed, then fsynced
        db.session.commit()
        assert db.session.scalar(text("PRAGMA synchronous")) == 2
        with pytest.raises(RuntimeError), write_transaction():
            db.session.add(User(email="lost@example.org", display_name="Lost"))
            raise RuntimeError("boom")
        assert len(synced) == 1  # nothing committed, nothing to make durable


@pytest.mark.sqlite
def test_normal_sync_does_not_fsync_after_write_transactions(tmp_path, monkeypatch):
    import os

    import core.db

    app = _file_app(tmp_path, SQLITE_SYNCHRONOUS="NORMAL")
    synced = []
    monkeypatch.setattr(core.db.os, "fdatasync", synced.append)
    with app.app_context():
        with write_transaction():
            db.session.add(User(email="fast@example.org", display_name="Fast"))
        assert db.session.scalar(text("PRAGMA synchronous")) == 1
    assert synced == []
    assert os.path.exists(tmp_path / "app.db-writer")
