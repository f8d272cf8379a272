"""What the results page shows, built from a stored result: funded projects with votes and
cost, the comparison with greedy, MES prices, the EJR check, and the chart data (the same
numbers the text tables under the charts show)."""
from __future__ import annotations

from dataclasses import dataclass

from pb.models import BudgetProcess, BudgetResult


@dataclass(frozen=True)
class Row:
    project_id: str
    name: str
    cost: int
    votes: int
    in_rule: bool
    in_greedy: bool
    price: float | None
    completed: bool


def results_view(process: BudgetProcess, result: BudgetResult) -> dict:
    details = result.details
    chosen, greedy = set(result.selected), set(details["greedy"]["selected"])
    price = details.get("price", {})
    completed = set(details.get("completed", ()))
    rows = [Row(p.project_id, p.name, p.cost, details["votes"].get(p.project_id, 0),
                p.project_id in chosen, p.project_id in greedy,
                price.get(p.project_id), p.project_id in completed)
            for p in process.ballot_projects]
    order = {pid: k for k, pid in enumerate(result.selected)}
    funded = sorted((r for r in rows if r.in_rule), key=lambda r: order[r.project_id])
    differ = [r for r in rows if r.in_rule != r.in_greedy]
    n = result.ballot_count
    chart = {  # labels are added by the view, in the reader's language
        "covered": [details["covered"], details["greedy"]["covered"]],
        "voters": n,
        "differ": {"names": [r.name for r in differ], "votes": [r.votes for r in differ],
                   "in_rule": [r.in_rule for r in differ]},
        "prices": {"names": [r.name for r in funded if r.price is not None],
                   "values": [r.price for r in funded if r.price is not None]},
    }
    latest = {p.project_id: p.progress[-1] for p in process.projects
              if p.project_id in chosen and p.progress}
    progress = {"done": sum(u.status == "done" for u in latest.values()),
                "average": round(sum(u.percent for u in latest.values()) / len(funded))
                if funded else 0}
    return {"funded": funded, "progress": progress, "differ": differ, "rows": rows, "chart": chart,
            "covered": details["covered"], "greedy_covered": details["greedy"]["covered"],
            "ejr": _ejr(details.get("ejr")), "price_per": details.get("price_per"),
            "per_voter_budget": details.get("per_voter_budget")}


def _ejr(stored: dict | None) -> dict | None:
    """The stored EJR check; results computed before the general check only looked at
    sets of one or two projects."""
    if stored is None:
        return None
    return {"violations": stored.get("violations", []), "exact": stored.get("exact", False),
            "largest_size": stored.get("largest_size", 2)}
