"""Failed logins slow down per account and per address, race-free (issue 13 "Sessions"):
the counters live in the database by default (core.ratelimit, shared by every worker and
machine) or in Redis; 50 parallel wrong passwords get exactly the allowed number of tries."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest
from sqlalchemy import select

from core.db import db
from core.extensions import limiter
from core.ratelimit import DatabaseStorage, RateLimitCounter, attempt
from tests.helpers import N, free_port, fresh_postgres_database, in_parallel, make_app

PASSWORD = "correct horse battery staple"


def _user(email="ana@example.org"):
    from accounts.models import User

    user = User(email=email, display_name="Ana")
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user


def _wrong(client, email="ana@example.org", address="198.51.100.1", headers=None):
    return client.post("/login", data={"email": email, "password": "not the password!"},
                       headers={"X-Forwarded-For": address, **(headers or {})})


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def limited_app(request, tmp_path):
    """Rate limits on, counters in the database (the default), behind one trusted proxy
    so X-Forwarded-For gives each simulated citizen an address."""
    overrides = {"RATELIMIT_ENABLED": True, "TRUSTED_PROXIES": 1}
    if request.param == "postgresql":
        url = fresh_postgres_database(request.getfixturevalue("postgres_url"), "ratelimits")
        overrides |= {"SQLALCHEMY_DATABASE_URI": url,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 10, "max_overflow": N}}
    app = make_app(tmp_path, **overrides)
    with app.app_context():
        assert app.config["RATELIMIT_STORAGE_URI"] == "database://"
        yield app
        db.session.remove()
        if request.param == "postgresql":
            db.engine.dispose()


def test_fifty_parallel_wrong_passwords_for_one_account_get_exactly_five_tries(limited_app):
    _user()
    responses = in_parallel(limited_app, lambda client, i: _wrong(client))
    codes = sorted(r.status_code for r in responses)
    assert codes == [401] * 5 + [429] * (N - 5)
    def stored(prefix):
        return db.session.scalars(select(RateLimitCounter.count)
                                  .where(RateLimitCounter.key.like(prefix + "%"))).all()

    assert stored("LIMITER/login/") == [N]  # every attempt counted once, atomically
    assert stored("LIMITER/login-account/") == [5]  # refused ones do not eat the wider limits


def test_the_account_limit_holds_across_addresses(limited_app):
    """A guesser rotating addresses: 20 failures per account per hour, whoever sends them."""
    _user()
    limited_app.config.update(LOGIN_RATE_LIMIT="100 per hour", LOGIN_IP_RATE_LIMIT="100/hour")
    responses = in_parallel(limited_app, lambda client, i: _wrong(client, address=f"203.0.113.{i}"))
    assert sorted(r.status_code for r in responses) == [401] * 20 + [429] * (N - 20)


def test_the_address_limit_holds_across_accounts(limited_app):
    limited_app.config.update(LOGIN_IP_RATE_LIMIT="3 per 15 minutes")
    codes = [_wrong(limited_app.test_client(), email=f"u{i}@example.org").status_code
             for i in range(5)]
    assert codes == [401, 401, 401, 429, 429]
    # Another address is not slowed down by those.
    assert _wrong(limited_app.test_client(), address="192.0.2.9").status_code == 401


def test_the_429_page_is_friendly_translated_and_says_when(limited_app):
    _user()
    client = limited_app.test_client()
    for _ in range(5):
        _wrong(client)
    page = _wrong(client)
    assert page.status_code == 429
    wait = int(page.headers["Retry-After"])
    assert 14 * 60 < wait <= 15 * 60  # the 15-minute window just opened
    html = page.get_data(as_text=True)
    assert "<h1>Too many attempts</h1>" in html
    assert "please wait 15 minutes and try again" in html
    assert 'href="/forgot-password"' in html  # what to do meanwhile
    assert '<html lang="en"' in html
    chinese = _wrong(client, headers={"Accept-Language": "zh-TW"})
    text = chinese.get_data(as_text=True)
    assert chinese.status_code == 429 and '<html lang="zh-Hant"' in text
    assert "15 分鐘" in text and "Too many attempts" not in text
    as_json = _wrong(client, headers={"Accept": "application/json"})
    assert as_json.json["status"] == 429 and as_json.headers["Retry-After"]


def test_a_success_does_not_count_and_the_right_password_is_refused_once_blocked(
        limited_app):
    _user()
    client = limited_app.test_client()
    for _ in range(7):
        response = client.post("/login", data={"email": "ana@example.org",
                                               "password": PASSWORD})
        assert response.status_code == 302
        client.post("/logout")
    for _ in range(5):
        assert _wrong(client).status_code == 401
    blocked = client.post("/login", data={"email": "ana@example.org", "password": PASSWORD},
                          headers={"X-Forwarded-For": "198.51.100.1"})
    assert blocked.status_code == 429


def test_blocked_logins_do_not_check_the_password(limited_app, monkeypatch):
    """Once blocked, no scrypt work is spent (the limit also protects the CPU)."""
    from accounts import service

    _user()
    client = limited_app.test_client()
    for _ in range(5):
        _wrong(client)
    calls = []
    monkeypatch.setattr(service, "check_password_hash", lambda *a: calls.append(a))
    assert _wrong(client).status_code == 429 and calls == []


def test_database_storage_windows_end_and_refunds_never_go_negative(app):
    storage = DatabaseStorage("database://")
    assert storage.check()
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3 and storage.get_expiry("k") > time.time() + 50
    assert storage.incr("gone", 0) == 1 and storage.get("gone") == 0  # window ended at once
    assert storage.incr("gone", 60, amount=-1) == 0  # a late refund opens no credit
    long_key = "x" * 1000
    assert storage.incr(long_key, 60) == 1 and storage.get(long_key) == 1
    storage.clear("k")
    assert storage.get("k") == 0
    assert storage.reset() >= 1 and storage.get(long_key) == 0


def test_attempt_reports_the_wait_of_the_longest_limit(app):
    storage = DatabaseStorage("database://")
    now = time.time()
    first = attempt(storage, [("1 per minute", "a"), ("1 per hour", "b")], now=now)
    assert first.retry_after is None
    second = attempt(storage, [("1 per hour", "b"), ("1 per minute", "a")], now=now)
    assert 3590 <= second.retry_after <= 3601
    assert storage.get("LIMITER/a/1/1/minute") == 1  # the second stopped at "b"
    first.refund()
    assert storage.get("LIMITER/a/1/1/minute") == 0
    assert storage.get("LIMITER/b/1/1/hour") == 1


# ---------------------------------------------------------------- Redis (scale-out)

@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A throwaway redis-server on a free port; skipped when Redis is not installed
    (Debian: apt-get install redis-server; Python: the `redis` extra)."""
    pytest.importorskip("redis", reason="the redis package is not installed (pip install "
                                        ".[redis])")
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port, folder = free_port(), tmp_path_factory.mktemp("redis")
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1",
                                "--save", "", "--appendonly", "no", "--dir", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.skip("redis-server did not start")
            time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_with_a_redis_url_the_counters_live_in_redis(tmp_path, redis_url, monkeypatch):
    """FLASK_RATELIMIT_STORAGE_URI=redis://... (the README's scale-out setting): two apps,
    as on two machines, share one count, and nothing is written to the database."""
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    monkeypatch.setenv("FLASK_RATELIMIT_STORAGE_URI", redis_url)
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    machine_a = make_app(tmp_path / "a", RATELIMIT_ENABLED=True, TRUSTED_PROXIES=1)
    machine_b = make_app(tmp_path / "b", RATELIMIT_ENABLED=True, TRUSTED_PROXIES=1)
    assert machine_a.config["RATELIMIT_STORAGE_URI"] == redis_url
    codes = []
    for n in range(6):
        app = (machine_a, machine_b)[n % 2]
        with app.app_context():
            codes.append(_wrong(app.test_client()).status_code)
            assert db.session.scalar(select(RateLimitCounter.key)) is None
    assert codes == [401] * 5 + [429]
    assert type(limiter.storage).__name__ == "RedisStorage"
    keys = [k.decode() for k in redis.Redis.from_url(redis_url).keys("*")]
    assert any("login-account" in k for k in keys)


def test_fifty_parallel_wrong_passwords_with_redis(tmp_path, redis_url, monkeypatch):
    monkeypatch.setenv("FLASK_RATELIMIT_STORAGE_URI", redis_url)
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, TRUSTED_PROXIES=1)
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    with app.app_context():
        _user()
        responses = in_parallel(app, lambda client, i: _wrong(client))
        db.session.remove()
    assert sorted(r.status_code for r in responses) == [401] * 5 + [429] * (N - 5)


def test_with_redis_a_successful_login_is_refunded(tmp_path, redis_url, monkeypatch):
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    monkeypatch.setenv("FLASK_RATELIMIT_STORAGE_URI", redis_url)
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, TRUSTED_PROXIES=1)
    with app.app_context():
        _user()
        client = app.test_client()
        for _ in range(7):
            assert client.post("/login", data={"email": "ana@example.org",
                                               "password": PASSWORD}).status_code == 302
            client.post("/logout")
        assert [_wrong(client).status_code for _ in range(6)] == [401] * 5 + [429]
        db.session.remove()
