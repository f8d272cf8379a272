"""pytest plugin loaded only by `make mutate` (``-p tests.mutation_plugin`` in
``[tool.mutmut] pytest_add_cli_args``), never by ``make test``.

Each mutant re-runs the selected tests that reach it, and on this 2-core box their time went
mostly to password hashing: every ``make_user`` and every registration hashes with werkzeug's
default scrypt (n=32768, r=8), ~0.5 s a hash under load. Here "scrypt" means scrypt with
n=256 (~1 ms), so the hash is still an "scrypt:" hash, is still checked, and a wrong password
is still refused; only its cost differs, which no promise of the README states (the cost is a
deployment setting, tested by ``make test``: ``tests/accounts/test_registration.py`` and
``test_login_timing.py`` run there with the real parameters). A mutant that changes the method
name still fails ("XXscryptXX" is refused by werkzeug).

It also runs each test's SQLite database with ``SQLITE_SYNCHRONOUS="NORMAL"`` (the app's
default is FULL) and, where there is a tmpfs, in /dev/shm: the fsync at each commit was ~10 %
of a petition test here; durability after a power cut is not what these tests state, and
every test gets a fresh file anyway. (An earlier version set ``PRAGMA synchronous=OFF`` from an
engine listener, but the app's own listener ran after it and set FULL again.)

Each mutant runs in a process forked from mutmut's, which has already run the selection once
(imports done), but each test still builds an app and a database. What that cost besides the
test itself, measured with cProfile on ``tests/petitions/test_signing.py`` in such a fork, and
what this plugin does about it (same results, still one app and one database per test):

- pytest's ``unraisableexception`` plugin calls ``gc.collect()`` five times at the end of each
  session, over the whole heap the fork inherited: 0.4-0.9 s per mutant. ``gc.freeze()`` at
  the start of each session moves what was inherited out of the collector's sight (it is never
  garbage: the parent keeps it), so those collections only walk what the mutant's run made.
- Werkzeug compiles a URL builder (``ast`` + ``compile()``) for each of the ~80 rules of every
  app: ~15 % of a petition test. The builder depends only on the rule's text, its parsed parts
  and its default names; it is cached on those (rules whose defaults fill a URL part are
  compiled as before).
- Jinja parses and compiles each template again for every app: a shared in-memory bytecode
  cache (Jinja's own mechanism; it checks the template's source checksum).
- ``db.create_all()`` on SQLite (~40 tables, a PRAGMA per table first): the schema is built
  once per process into a template file, and each test's new, empty database file becomes a
  copy of it. Migrations and PostgreSQL are untouched.
- SQLAlchemy compiles each statement again for each new engine (its cache of compiled SQL is
  per engine and keyed on the engine's dialect object): ~18 % of a petition test. SQLite
  engines share one cache here, keyed on the dialect's class and settings instead.
Which of a mutant's tests runs first (``-x`` stops at the first failure, so the order sets
the cost of every killed mutant): mutmut hands a mutant the tests that reach its function,
fastest first. When a test fails under a mutant, this plugin appends the function and the
test to ``mutmut-killers.tsv`` (in mutants/, the run's directory; removed with it), and each
later mutant of the same function runs first the tests that killed its siblings, most kills
(then fastest) first: ordered by duration / (kills + 0.05). Only the order changes, never
which tests run, so a mutant is killed exactly when it was before; a survivor still runs
every test. (``MUTMUT_TEST_ORDER=given`` keeps mutmut's order, to compare.)

Each mutant's process also appends its name, its CPU seconds, the number of tests it ran and
pytest's exit status to ``mutmut-cost.tsv`` in mutants/: what each mutant cost, read rather than
estimated (``bench/mutation_cost.py`` sums it).
"""
from __future__ import annotations

import gc
import os
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest
import werkzeug.security
from jinja2 import BytecodeCache
from sqlalchemy import MetaData, create_engine
from sqlalchemy.engine import Engine
from werkzeug.routing.rules import Rule

_real_generate = werkzeug.security.generate_password_hash
CHEAP_SCRYPT = "scrypt:256:8:1"


def cheap_generate_password_hash(password: str, method: str = "scrypt",
                                 salt_length: int = 16) -> str:
    if method == "scrypt":
        method = CHEAP_SCRYPT
    return _real_generate(password, method=method, salt_length=salt_length)


# Before the application is imported, so `from werkzeug.security import ...` binds this one.
werkzeug.security.generate_password_hash = cheap_generate_password_hash


_real_compile_builder = Rule._compile_builder
_builders: dict = {}


def _cached_compile_builder(self, append_unknown=True):
    defaults = self.defaults or {}
    if any(is_dynamic and data in defaults for is_dynamic, data in self._trace):
        return _real_compile_builder(self, append_unknown)  # a converter writes a default
    key = (append_unknown, tuple(self._trace), tuple(str(k) for k in defaults))
    builder = _builders.get(key)
    if builder is None:
        builder = _builders[key] = _real_compile_builder(self, append_unknown)
    return builder


Rule._compile_builder = _cached_compile_builder


class _SharedBytecodeCache(BytecodeCache):
    """Jinja bytecode kept in memory for every app of the process (checked by checksum)."""

    def __init__(self):
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket):
        self.code[bucket.key] = bucket.bytecode_to_string()


_bytecode_cache = _SharedBytecodeCache()


def _with_shared_bytecode(create_jinja_environment):
    def create(self):
        environment = create_jinja_environment(self)
        environment.bytecode_cache = _bytecode_cache
        return environment

    return create


_real_create_all = MetaData.create_all
_schema_templates: dict = {}


def _empty_sqlite_file(bind) -> Path | None:
    """The file of a SQLite engine whose database has no tables yet, else None."""
    if not isinstance(bind, Engine) or bind.dialect.name != "sqlite":
        return None
    database = bind.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = Path(database)
    if path.exists() and path.stat().st_size > 0:
        return None
    return path


def _schema_template(metadata) -> Path:
    key = (id(metadata), tuple(sorted(metadata.tables)))
    template = _schema_templates.get(key)
    if template is None:
        folder = Path(tempfile.mkdtemp(prefix="mutmut-schema-"))
        template = folder / "schema.db"
        engine = create_engine(f"sqlite:///{template}")
        _real_create_all(metadata, engine)
        engine.dispose()  # the last connection checkpoints and removes the WAL file
        _schema_templates[key] = template
    return template


def _create_all_from_template(self, bind, tables=None, checkfirst=True):
    path = _empty_sqlite_file(bind)
    if path is None or tables is not None or not checkfirst:
        return _real_create_all(self, bind, tables=tables, checkfirst=checkfirst)
    bind.dispose()  # no connection may hold the file while it is replaced
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(_schema_template(self), path)
    return None


MetaData.create_all = _create_all_from_template


_compiled_sql: dict = {}


class _CompiledAcrossEngines:
    """Engine._compiled_cache for SQLite engines: one store for all, the dialect object in
    SQLAlchemy's key replaced by what makes two SQLite dialects compile alike."""

    @staticmethod
    def _key(key):
        dialect = key[0]
        same = (type(dialect), dialect.paramstyle, dialect.positional,
                dialect.server_version_info, dialect.supports_native_boolean)
        return (same, *key[1:])

    def get(self, key, default=None):
        return _compiled_sql.get(self._key(key), default)

    def __getitem__(self, key):
        return _compiled_sql[self._key(key)]

    def __setitem__(self, key, value):
        _compiled_sql[self._key(key)] = value

    def clear(self):
        _compiled_sql.clear()


def _sharing_compiled_sql(make_engine):
    def make(self, *args, **kwargs):
        engine = make_engine(self, *args, **kwargs)
        if engine.dialect.name == "sqlite" and engine._compiled_cache is not None:
            engine._compiled_cache = _CompiledAcrossEngines()
        return engine

    make._shares_compiled_sql = True
    return make


def pytest_configure(config):
    import flask

    gc.freeze()
    # Each test's tmp_path (its SQLite file) in memory, where there is a tmpfs.
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        os.environ.setdefault("PYTEST_DEBUG_TEMPROOT", "/dev/shm")
    if not getattr(flask.Flask.create_jinja_environment, "_shared_bytecode", False):
        create = _with_shared_bytecode(flask.Flask.create_jinja_environment)
        create._shared_bytecode = True
        flask.Flask.create_jinja_environment = create
    from flask_sqlalchemy import SQLAlchemy

    if not getattr(SQLAlchemy._make_engine, "_shares_compiled_sql", False):
        SQLAlchemy._make_engine = _sharing_compiled_sql(SQLAlchemy._make_engine)

    from tests.helpers import TEST_CONFIG

    TEST_CONFIG["SQLITE_SYNCHRONOUS"] = "NORMAL"
    # In case a module was imported before this plugin (it binds the name at import).
    for name in ("accounts.models", "accounts.service"):
        module = sys.modules.get(name)
        if module is not None and hasattr(module, "generate_password_hash"):
            module.generate_password_hash = cheap_generate_password_hash
    service = sys.modules.get("accounts.service")
    if service is not None and hasattr(service, "_DUMMY_HASH"):
        service._DUMMY_HASH = cheap_generate_password_hash("not a real password")


KILLERS = Path("mutmut-killers.tsv")  # relative to the run's directory, mutants/
COSTS = Path("mutmut-cost.tsv")
_PRIOR_KILLS = 0.05  # a test that killed once goes first unless it is 20 times slower


def _mutated_function() -> str | None:
    """The mangled function name of the mutant this process tests, else None."""
    name = os.environ.get("MUTANT_UNDER_TEST", "")
    if "__mutmut_" not in name:
        return None
    return name.partition("__mutmut_")[0]


def _durations() -> dict:
    try:
        from mutmut.state import state
    except ImportError:
        return {}
    return state().duration_by_test


def _kills(function: str) -> Counter:
    kills: Counter = Counter()
    try:
        lines = KILLERS.read_text(encoding="utf-8").splitlines()
    except OSError:
        return kills
    prefix = function + "\t"
    for line in lines:
        if line.startswith(prefix):
            kills[line[len(prefix):]] += 1
    return kills


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    function = _mutated_function()
    if function is None or len(items) < 2 or os.environ.get("MUTMUT_TEST_ORDER") == "given":
        return
    kills = _kills(function)
    if not kills:
        return
    durations = _durations()
    position = {id(item): index for index, item in enumerate(items)}

    def expected_cost(item):
        duration = durations.get(item.nodeid, 0.0) + 0.001
        return (duration / (kills.get(item.nodeid, 0) + _PRIOR_KILLS), position[id(item)])

    items.sort(key=expected_cost)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        function = _mutated_function()
        if function is not None:
            _append(KILLERS, f"{function}\t{item.nodeid}\n")


_tests_run = 0


def pytest_sessionstart(session):
    global _tests_run
    _tests_run = 0  # a forked mutant inherits the count of mutmut's own earlier runs


def pytest_runtest_logfinish(nodeid, location):
    global _tests_run
    _tests_run += 1


def pytest_sessionfinish(session, exitstatus):
    name = os.environ.get("MUTANT_UNDER_TEST", "")
    if "__mutmut_" not in name:
        return
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)  # a forked child starts from zero
    cpu = usage.ru_utime + usage.ru_stime
    _append(COSTS, f"{name}\t{cpu:.3f}\t{_tests_run}\t{int(exitstatus)}\n")


def _append(path: Path, line: str) -> None:
    """One small O_APPEND write: the two mutant processes running at once never mix lines."""
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(descriptor, line.encode())
    finally:
        os.close(descriptor)
