"""kill -9 of the whole server (gunicorn master and workers) in the middle of a burst of
signatures, ballots and statement votes loses no acknowledged write (issue 13, reliability.md
R8): after a restart every write the server answered with success is in the database, the
counters equal the rows, and SQLite's integrity check passes."""
from __future__ import annotations

import http.client
import random
import threading
import time

import pytest
from sqlalchemy import text

from app import create_app
from core.db import db
from tests.core.helpers import (
    Acks,
    Citizen,
    kill_server,
    seed,
    start_server,
    verify,
    write_config,
)
from tests.helpers import free_port

pytestmark = pytest.mark.slow
CLIENTS = 8


def burst(port, world, stop: threading.Event):
    """CLIENTS citizens writing until `stop` or until the server is gone."""
    acks_each = [Acks() for _ in range(CLIENTS)]
    answered = [0] * CLIENTS
    citizens = [Citizen(port, world, world.users[i], acks_each[i]) for i in range(CLIENTS)]

    def write(i):
        rng = random.Random(i)
        while not stop.is_set():
            try:
                _kind, _status, ok = citizens[i].act(rng, f"c{i}")
            except (OSError, http.client.HTTPException):
                return  # killed: what was sent now is neither acknowledged nor refused
            answered[i] += ok

    threads = [threading.Thread(target=write, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    return acks_each, answered, threads


@pytest.mark.timeout(120)
def test_kill_9_mid_burst_loses_no_acknowledged_write(tmp_path):
    instance = tmp_path / "instance"
    write_config(instance, f"sqlite:///{instance / 'app.db'}")
    app = create_app(instance_path=str(instance))
    with app.app_context():
        db.create_all()
        world = seed(petitions=10, users=CLIENTS)
        db.session.remove()
    port = free_port()
    server = start_server(instance, port, log=tmp_path / "gunicorn.log")
    stop = threading.Event()
    try:
        acks_each, answered, threads = burst(port, world, stop)
        deadline = time.monotonic() + 30
        while sum(answered) < 100 and time.monotonic() < deadline:
            time.sleep(0.05)
        kill_server(server)  # SIGKILL to the master and every worker, mid-burst
        for thread in threads:
            thread.join(timeout=30)
    finally:
        stop.set()
        kill_server(server)
    acks = Acks()
    for each in acks_each:
        acks.merge(each)
    acknowledged = (len(acks.email_signatures) + len(acks.one_click) + len(acks.ballots)
                    + len(acks.votes))
    assert sum(answered) >= 100, "the burst did not get going before the kill"

    server = start_server(instance, port, log=tmp_path / "gunicorn.log")  # restart
    try:
        citizen = Citizen(port, world, world.users[0], Acks())
        assert citizen.sign_by_email(world.petitions[0], "after.restart@gmail.com")[1]
    finally:
        kill_server(server, 15)
    with app.app_context():
        assert db.session.scalar(text("PRAGMA integrity_check")) == "ok"
        checks = verify(world, acks)
    assert checks == {"lost": 0, "duplicates": 0, "counter_drift": 0}, (checks, acknowledged)
    assert acks.email_signatures and acks.one_click and acks.ballots and acks.votes


def test_the_checks_catch_a_lost_write_a_stale_ballot_and_a_drifting_counter(tmp_path):
    """The crash test is only as good as `verify`: it must see each kind of damage."""
    from sqlalchemy import update

    from petitions.models import Petition

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.db'}",
                      "SECRET_KEY": "test"}, instance_path=str(tmp_path))
    with app.app_context():
        db.create_all()
        world = seed(petitions=2, users=2)
        clean = verify(world, Acks())
        acks = Acks(email_signatures=[(world.petitions[0], "never.stored@gmail.com")])
        acks.replaced(acks.ballots, world.users[0][0], frozenset({"P1"}), True)
        acks.replaced(acks.votes, (world.users[1][0], world.statements[0]), 1, True)
        lost = verify(world, acks)
        db.session.execute(update(Petition).where(Petition.id == world.petitions[1])
                           .values(signature_count=Petition.signature_count + 1))
        db.session.commit()
        drift = verify(world, Acks())
    assert clean == {"lost": 0, "duplicates": 0, "counter_drift": 0}
    assert lost["lost"] == 3
    assert drift["counter_drift"] == 1


@pytest.mark.parametrize(("mode", "pragma"), [(None, 2), ("NORMAL", 1)])
def test_sqlite_synchronous_follows_the_setting(tmp_path, mode, pragma):
    """FULL by default (power loss included); NORMAL on request (WAL still keeps commits across
    a kill -9, as above)."""
    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.db'}",
              "SECRET_KEY": "test"}
    if mode:
        config["SQLITE_SYNCHRONOUS"] = mode
    app = create_app(config, instance_path=str(tmp_path))
    with app.app_context():
        assert db.session.scalar(text("PRAGMA synchronous")) == pragma


def test_an_unknown_synchronous_mode_is_refused(tmp_path):
    with pytest.raises(ValueError, match="SQLITE_SYNCHRONOUS"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.db'}",
                    "SECRET_KEY": "test", "SQLITE_SYNCHRONOUS": "OFF"},
                   instance_path=str(tmp_path))
