"""Budgets on the web, timed (issue 11 "Speed"): prints numbers, asserts nothing.

1. casting a ballot (full POST through Flask: review rules, upsert, receipt) with 100,000
   ballots stored: p50/p95 over 300 voters after 20 warm-up casts (target p95 < 50 ms);
2. importing poland_lodz_2022_.pb (90,494 ballots) into the database (target < 10 s);
3. computing its MES + add1u results from the database, loading the ballots as columns
   (target < 2 s), and the whole `compute` (adds greedy, the EJR check and storing).

Run: OMP_NUM_THREADS=1 .venv/bin/python bench/budgets_web.py
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LODZ = ROOT.parent / "shared" / "data" / "pabulib" / "poland_lodz_2022_.pb"
STORED, VOTERS, WARM_UP = 100_000, 300, 20  # the first casts fill SQLAlchemy's caches


def main() -> None:
    from sqlalchemy import insert

    from accounts.models import User
    from app import create_app
    from core.db import db, utcnow
    from core.process import Audience, Commitment
    from pb import results
    from pb.exchange import import_file
    from pb.models import Ballot, BudgetProcess, BudgetProject, Phase
    from pb.rules import RULES

    tmp = Path(tempfile.mkdtemp(prefix="budgets-bench-"))
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                      "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}"})
    with app.app_context():
        db.create_all()
        now = utcnow()
        process = BudgetProcess(title="Bench", commitment=Commitment.BINDING,
                                audience=Audience.PUBLIC, currency="EUR")
        process.set_rules(budget=10_000_000, vote_type="knapsack")
        process.projects = [BudgetProject(project_id=str(i), name=f"Project {i}",
                                          cost=100_000 * i) for i in range(1, 41)]
        db.session.add(process)
        process.move_to(Phase.VOTING, now=now)
        db.session.commit()
        db.session.execute(insert(Ballot), [
            {"process_id": process.id, "voter_key": f"import:{k}", "vote": f"{k % 40 + 1}",
             "points": None, "channel": "import", "cast_at": now, "updated_at": now}
            for k in range(STORED)])
        db.session.execute(insert(User), [
            {"email": f"v{k}@example.org", "display_name": f"V{k}", "password_hash": "x",
             "email_confirmed_at": now, "created_at": now} for k in range(WARM_UP + VOTERS)])
        db.session.commit()
        user_ids = [u.id for u in db.session.query(User.id).order_by(User.id)]
        process_id = process.id
        client = app.test_client()
        times = []
        for k, uid in enumerate(user_ids):
            with client.session_transaction() as session:
                session["_user_id"], session["_fresh"] = str(uid), True
            start = time.perf_counter()
            response = client.post(f"/budgets/{process_id}/ballot/confirm", data={
                "process": process_id, "project": [str(k % 40 + 1), str((k + 7) % 40 + 1)]})
            times.append(time.perf_counter() - start)
            assert response.status_code == 302, response.status_code
        times = sorted(times[WARM_UP:])
        p95 = times[int(0.95 * len(times)) - 1]
        print(f"cast a ballot with {STORED:,} stored: p50 {statistics.median(times)*1e3:.1f} ms,"
              f" p95 {p95*1e3:.1f} ms, max {times[-1]*1e3:.1f} ms ({VOTERS} voters after "
              f"{WARM_UP} warm-up casts)")

        if not LODZ.exists():
            print(f"{LODZ} missing: import and compute skipped")
            return
        start = time.perf_counter()
        lodz = import_file(LODZ, rule="mes", now=now, options={
            "utility": "cost", "completion": "add1u", "tie_break": "lexico"})
        print(f"import Łódź 2022 (90,494 ballots) into the database: "
              f"{time.perf_counter() - start:.2f} s")
        process = db.session.get(BudgetProcess, lodz)
        best = []
        for _ in range(3):
            db.session.expire_all()
            start = time.perf_counter()
            instance, profile = results.election(process)
            loaded = time.perf_counter() - start
            outcome = RULES["mes"](instance, profile, utility="cost", completion="add1u")
            best.append((time.perf_counter() - start, loaded))
        total, loaded = min(best)
        print(f"Łódź MES + add1u from the database: {total:.2f} s "
              f"(loading the ballots as columns {loaded:.2f} s); "
              f"{len(outcome.selected)} projects")
        start = time.perf_counter()
        results.compute(lodz, now=now)
        print(f"`flask budgets compute` on Łódź (MES + add1u, greedy, EJR check, store): "
              f"{time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
