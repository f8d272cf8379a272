"""Which database the tests run on: SQLite (default) or a throwaway PostgreSQL cluster.

`CIVIC_TEST_DATABASE=postgresql` makes `tests.helpers.make_app` give every app its own fresh
PostgreSQL database (`CREATE DATABASE … TEMPLATE` a template holding the tables: ~0.1 s) on
one cluster started for the whole run with `initdb`/`pg_ctl` in a temporary folder (as the
`postgres` user when run as root, since initdb refuses root), with fsync and synchronous
commit off. Each database is dropped when its test ends; the cluster is removed at exit.
`TEST_DATABASE_URL=postgresql+psycopg://…` uses an existing server instead (its user needs
CREATEDB). `make test` runs the suite once per database (README, "Tests").
"""
from __future__ import annotations

import atexit
import glob
import itertools
import os
import queue
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

BACKEND_VARIABLE = "CIVIC_TEST_DATABASE"
BACKENDS = ("sqlite", "postgresql")
TEMPLATE = "civic_template"


class NotInstalled(RuntimeError):
    """PostgreSQL (initdb/pg_ctl or psycopg) is missing: the PostgreSQL half is skipped."""


def backend() -> str:
    name = os.environ.get(BACKEND_VARIABLE, "sqlite").strip().lower() or "sqlite"
    if name not in BACKENDS:
        raise SystemExit(f"{BACKEND_VARIABLE}={name!r}: expected one of {', '.join(BACKENDS)}")
    return name


def on_postgresql() -> bool:
    return backend() == "postgresql"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_binary(name: str) -> str | None:
    """initdb and pg_ctl are not on PATH on Debian (/usr/lib/postgresql/<major>/bin)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return candidates[-1] if candidates else None


class Cluster:
    """A PostgreSQL server reached as `app` over TCP on 127.0.0.1; `url(db)` gives SQLAlchemy
    URLs, `admin()` an autocommit psycopg connection to the `postgres` database."""

    def __init__(self, base_url: str, folder: Path | None = None, stop=None):
        self.base_url, self.folder, self._stop = base_url, folder, stop
        self.has_template = False
        self._names = itertools.count(1)

    @classmethod
    def start(cls, *, durable: bool = False) -> Cluster:
        """A new cluster in a temp folder; `durable` keeps PostgreSQL's fsync and synchronous
        commit (the load benchmark measures what production pays), else both are off."""
        if os.environ.get("TEST_DATABASE_URL"):
            return cls(os.environ["TEST_DATABASE_URL"])
        initdb, pg_ctl = _pg_binary("initdb"), _pg_binary("pg_ctl")
        if initdb is None or pg_ctl is None:
            raise NotInstalled("PostgreSQL is not installed (no initdb/pg_ctl; Debian package "
                               "`postgresql`)")
        try:
            import psycopg  # noqa: F401
        except ImportError as error:
            raise NotInstalled(f"the psycopg driver is missing ({error})") from error
        folder = Path(tempfile.mkdtemp(prefix="civic-pg-"))
        prefix: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            shutil.chown(folder, "postgres", "postgres")
            prefix = ["runuser", "-u", "postgres", "--"]
        data, port = folder / "data", _free_port()

        def run(*args):
            return subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=120)

        def stop():
            subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
                           capture_output=True, timeout=60)
            shutil.rmtree(folder, ignore_errors=True)

        fast = "" if durable else \
            "-c fsync=off -c full_page_writes=off -c synchronous_commit=off "
        try:
            run(initdb, "-D", str(data), "-U", "app", "--auth=trust", "-E", "UTF8",
                "--locale=C.UTF-8", "--no-sync")
            run(pg_ctl, "-D", str(data), "-l", str(folder / "log"), "-w", "-o",
                f"-k {folder} -p {port} -c listen_addresses=127.0.0.1 {fast}"
                "-c max_connections=200", "start")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            log = folder / "log"
            detail = (getattr(error, "stderr", b"") or b"").decode(errors="replace")
            if log.exists():
                detail += log.read_text(errors="replace")
            stop()
            raise RuntimeError(f"could not start PostgreSQL: {detail[-500:]}") from error
        return cls(f"postgresql+psycopg://app@127.0.0.1:{port}/postgres", folder, stop)

    def url(self, database: str) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.base_url).set(database=database).render_as_string(
            hide_password=False)

    def admin(self):
        import psycopg
        from sqlalchemy.engine import make_url

        url = make_url(self.base_url).set(drivername="postgresql", database="postgres")
        return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)

    def recreate(self, name: str, template: str | None = None) -> str:
        """Drop (closing its connections) and create database `name`; return its URL."""
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            suffix = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
            conn.execute(f'CREATE DATABASE "{name}"{suffix}')
        return self.url(name)

    def drop(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def next_name(self) -> str:
        return f"civic_test_{os.getpid()}_{next(self._names)}"

    def create_with_tables(self, name: str, metadata) -> str:
        """Database `name` with every table of `metadata`, copied from a template made once;
        from then on a background thread keeps the next database ready (`take_spare`)."""
        if not self.has_template:
            from sqlalchemy import create_engine

            engine = create_engine(self.recreate(TEMPLATE))
            metadata.create_all(engine)
            engine.dispose()
            self.has_template = True
            self._ready, self._work = queue.Queue(), queue.Queue()
            threading.Thread(target=self._background, daemon=True,
                             name="test-databases").start()
            self._work.put(None)
        return self.recreate(name, TEMPLATE)

    def _background(self):
        """Copy the next test's database and drop finished ones while tests run (the server
        works on the other core): `None` asks for a spare, a name for a drop."""
        while True:
            task = self._work.get()
            try:
                if task is None:
                    self._ready.put(self.recreate(self.next_name(), TEMPLATE).rsplit("/", 1)[1])
                else:
                    self.drop(task)
            except Exception as error:  # noqa: BLE001 - handed to the test that waits
                if task is None:
                    self._ready.put(error)

    def take_spare(self) -> str | None:
        """The name of a ready database with the tables (None before the template exists)."""
        if not self.has_template:
            return None
        name = self._ready.get(timeout=120)
        self._work.put(None)
        if isinstance(name, Exception):
            raise name
        return name

    def drop_later(self, name: str) -> None:
        if self.has_template:
            self._work.put(name)
        else:
            self.drop(name)

    def stop(self) -> None:
        if self._stop is not None:
            self._stop()
            self._stop = None


_cluster: Cluster | None = None
_databases: dict[str, str] = {}  # folder -> database made for it during the current test
_apps: list = []  # apps built on them, whose pools are closed before the databases go


def cluster() -> Cluster:
    """The run's cluster, started on first use and stopped at exit; raises NotInstalled."""
    global _cluster
    if _cluster is None:
        _cluster = Cluster.start()
        atexit.register(_cluster.stop)
    return _cluster


def app_on_postgresql(app_factory, folder):
    """app_factory(uri) -> app, on the PostgreSQL database of `folder` (a test's tmp_path),
    taken ready-made (tables created) on first use: apps built on one folder share it, as they
    share its SQLite file. `drop_test_databases` drops it when the test ends."""
    from core.db import db

    name = _databases.get(str(folder)) or cluster().take_spare()
    if name is None:  # the run's first app: its models make the template
        name = cluster().next_name()
        app = app_factory(cluster().url(name))
        with app.app_context():
            cluster().create_with_tables(name, db.metadata)
    else:
        app = app_factory(cluster().url(name))
    _databases[str(folder)] = name
    _apps.append(app)
    return app


def drop_test_databases() -> None:
    """Close the apps' pools and drop their databases (each is ~8 MB on disk), in the
    background."""
    from core.db import db

    while _apps:
        with _apps.pop().app_context():
            for engine in db.engines.values():
                engine.dispose()
    while _databases:
        cluster().drop_later(_databases.popitem()[1])
