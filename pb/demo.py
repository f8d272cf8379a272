"""Demo budgets for `flask seed-demo` (idempotent: looked up by title): a public budget in
its voting phase with ballots, a staff-only one, and the finished Wieliczka 2023 green budget
imported from its pabulib file with results computed, so the results page is alive."""
from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy import insert, select

from core.db import db, utcnow, write_transaction
from core.process import Audience, Commitment
from core.roles import Role
from pb import results
from pb.exchange import import_file
from pb.models import Ballot, BudgetProcess, BudgetProject, Phase

WIELICZKA = (Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "pabulib"
             / "poland_wieliczka_2023_green-budget.pb")
DEMO_BALLOTS = 60

RIVERSIDE = "Riverside neighbourhood budget 2026"
STAFF = "Town hall workplace ideas 2026"

RIVERSIDE_PROJECTS = [
    ("1", "Shaded benches along the river walk", 3_800_000,
     "Twenty benches with trees planted beside them between the two bridges."),
    ("2", "Safe cycle lane on Mill Street", 9_500_000,
     "A kerb-separated lane from the station to the secondary school."),
    ("3", "Library opening on Sundays", 4_200_000,
     "Staff and heating to open the Riverside library every Sunday for a year."),
    ("4", "Playground renovation in Elm Park", 6_000_000,
     "New climbing frame, accessible swings and soft ground."),
    ("5", "Community fridge and repair café", 1_500_000,
     "A space where neighbours share surplus food and fix small appliances."),
    ("6", "Street lighting on the canal path", 5_200_000,
     "Low-glare LED lights on 1.2 km of path used after dark."),
    ("7", "Free swimming lessons for children", 2_800_000,
     "Two terms of lessons for every primary school pupil in the district."),
    ("8", "Public toilets at the market square", 7_000_000,
     "Accessible toilets with a baby-changing room, open 7:00 to 22:00."),
]


def _process(title: str) -> BudgetProcess | None:
    return db.session.scalar(select(BudgetProcess).where(BudgetProcess.title == title))


def seed(users) -> None:
    """A public binding budget in its voting phase and a staff-only advisory one."""
    now = utcnow()
    with write_transaction():
        if _process(RIVERSIDE) is None:
            process = BudgetProcess(
                title=RIVERSIDE, commitment=Commitment.BINDING, audience=Audience.PUBLIC,
                owner_id=users[Role.OFFICIAL].id, currency="EUR",
                description="The council will fund the winning projects from the 2026 budget. "
                            "Choose up to five projects you want for Riverside.")
            process.set_rules(budget=25_000_000, vote_type="approval", min_projects=1,
                              max_projects=5)
            process.projects = [BudgetProject(project_id=pid, name=name, cost=cost,
                                              description=text)
                                for pid, name, cost, text in RIVERSIDE_PROJECTS]
            db.session.add(process)
            process.move_to(Phase.VOTING, now=now)
            db.session.flush()
            _demo_ballots(process.id, now)
        if _process(STAFF) is None:
            process = BudgetProcess(
                title=STAFF, commitment=Commitment.ADVISORY, audience=Audience.STAFF,
                owner_id=users[Role.ADMIN].id, currency="EUR",
                description="Internal: staff suggest how to spend the workplace fund. The "
                            "management board takes the result as advice.")
            process.set_rules(budget=2_000_000, vote_type="approval", max_projects=2)
            process.projects = [
                BudgetProject(project_id="A", name="Quiet room", cost=900_000),
                BudgetProject(project_id="B", name="Bicycle parking", cost=1_200_000),
                BudgetProject(project_id="C", name="Accessible meeting-room screens",
                              cost=800_000),
            ]
            db.session.add(process)
            process.move_to(Phase.VOTING, now=now)
    if WIELICZKA.exists() and _process("Wieliczka Green Budget 2023") is None:
        process_id = import_file(WIELICZKA, rule="mes", now=now, actor=users[Role.OFFICIAL],
                                 options={"utility": "cost", "completion": "add1u",
                                          "tie_break": "lexico"})
        results.compute(process_id, now=now)


def _demo_ballots(process_id: int, now) -> None:
    """Approval ballots of made-up voters (fixed seed: the same demo every time)."""
    rng = random.Random(11)
    popular = [str(i) for i in range(1, len(RIVERSIDE_PROJECTS) + 1)]
    rows = []
    for voter in range(DEMO_BALLOTS):
        chosen = sorted(rng.sample(popular, rng.randint(1, 5)), key=int)
        rows.append({"process_id": process_id, "voter_key": f"demo:{voter}",
                     "vote": ",".join(chosen), "points": None, "channel": "demo",
                     "cast_at": now, "updated_at": now})
    db.session.execute(insert(Ballot), rows)
