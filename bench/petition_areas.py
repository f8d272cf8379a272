"""Signatures per area on a petition page: counters (petitions/areas.py) vs GROUP BY over the
signature rows (what the page did before), on SQLite, one run per size.

    OMP_NUM_THREADS=1 .venv/bin/python bench/petition_areas.py [--sizes 10000,200000,1000000]

Builds a throwaway database with one open petition and N validated signatures spread over 40
districts; prints the best of 5 timings of each approach and their ratio.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

DISTRICTS = [f"D{i:02d}" for i in range(40)]


def best_of(fn, runs: int = 5) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def measure(size: int) -> tuple[float, float]:
    from app import create_app
    from core.db import db
    from petitions import areas
    from petitions.models import Signature, SignatureState
    from tests.petitions.helpers import SMALL_RULES, T0, open_petition, person

    folder = tempfile.mkdtemp()
    app = create_app({"TESTING": True, "SECRET_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db"})
    with app.app_context():
        db.create_all()
        from core.process import Commitment
        from petitions import moderation

        people = {k: person(f"{k}@example.org", k, roles)
                  for k, roles in [("creator", ()), ("moderator", ("moderator",)),
                                   ("admin", ("admin",))]}
        db.session.commit()
        scheme = moderation.save_scheme(
            None, actor=people["admin"], now=T0, title="Bench", authority="Council",
            description="", commitment=Commitment.ADVISORY, moderation_sla_days=14,
            area_kind="district", area_choices="\n".join(DISTRICTS), eligibility_text="",
            **SMALL_RULES)
        pid = open_petition(scheme, people).id
        rng = random.Random(1)
        codes = [rng.choice(DISTRICTS) for _ in range(size)]
        for start in range(0, size, 50_000):
            db.session.execute(insert(Signature), [
                {"petition_id": pid, "name": "n", "email": f"s{i}@example.org",
                 "canonical_email": f"s{i}@example.org", "email_domain": "example.org",
                 "area_code": codes[i], "state": SignatureState.VALIDATED, "created_at": T0}
                for i in range(start, min(size, start + 50_000))])
        areas.add(pid, Counter(codes))
        db.session.commit()

        def group_by():
            return dict(db.session.execute(
                select(Signature.area_code, func.count(Signature.id))
                .where(Signature.petition_id == pid, Signature.state == SignatureState.VALIDATED,
                       Signature.area_code.is_not(None))
                .group_by(Signature.area_code)).all())

        scan, by_rows = best_of(group_by)
        counters, by_counters = best_of(lambda: areas.counts(pid))
        assert by_rows == by_counters, "counters disagree with the rows"
    return counters, scan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,200000,1000000")
    args = parser.parse_args()
    print("| signatures | counters (ours) | GROUP BY over rows | ratio |")
    print("|---|---|---|---|")
    for size in map(int, args.sizes.split(",")):
        ours, scan = measure(size)
        print(f"| {size:,} | {ours * 1000:.2f} ms | {scan * 1000:.1f} ms | {scan / ours:,.0f}× |",
              flush=True)


if __name__ == "__main__":
    main()
