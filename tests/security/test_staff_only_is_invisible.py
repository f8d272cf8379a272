"""Staff-only processes (audience = staff) never show to the public or to citizens: not in a
listing, a search, a JSON or CSV export, similar.json, math.json, export.zip, export.pb or
the home page (issue 13). Every staff-only title, project and statement in the seeded world
starts with STAFF_TITLE, so one string search over each answer finds a leak; an official
asking the same pages sees them, so the search is known to look in the right place."""
from __future__ import annotations

import io
import zipfile

import pytest

from core.db import db, utcnow
from tests.security.helpers import STAFF_TITLE, build_world

# Pages anyone may ask for, with the searches that would find the staff-only items.
LISTINGS = ["/", "/budgets/", "/conversations/", "/petitions/", "/petitions/?status=open",
            # (searched in other letter cases: the search box echoes the query)
            "/petitions/?q=CANTEEN", "/petitions/?q=staff-ONLY", "/petitions/?sort=newest",
            "/petitions/export.json", "/petitions/export.csv",
            f"/petitions/similar.json?q={STAFF_TITLE}+move+the+canteen",
            "/petitions/similar.json?q=move+the+canteen+this+year"]
# Per-object pages, asked for on the public object (must not mention the staff one) and on
# the staff-only one (must be a 404).
OBJECT_PAGES = ["/budgets/{budget}", "/budgets/{budget}.json", "/budgets/{budget}/results",
                "/budgets/{budget}/export.pb", "/budgets/{budget}/ballot",
                "/conversations/{conversation}", "/conversations/{conversation}/math.json",
                "/conversations/{conversation}/export.zip", "/conversations/{conversation}/map",
                "/conversations/{conversation}/report", "/petitions/{petition}",
                "/petitions/{petition}.json", "/petitions/{petition}.csv"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    world = build_world(tmp_path_factory.mktemp("staff"))
    with world.app.app_context():
        _finish_voting_and_compute(world.ids)
    return world


def _finish_voting_and_compute(ids) -> None:
    """Budgets past voting with a ballot (so export.pb answers), and a stored math run per
    conversation whose JSON names its statements (so math.json answers)."""
    from deliberation.models import ConversationResult, Statement
    from pb.models import Ballot, BudgetProcess, Phase

    now = utcnow()
    for audience in ("public", "staff"):
        process = db.session.get(BudgetProcess, ids[f"budget_{audience}"])
        db.session.add(Ballot(process_id=process.id, voter_key=f"test:{audience}", vote="1",
                              channel="paper"))
        process.move_to(Phase.RESULTS, now=now)
        texts = [s.text for s in db.session.query(Statement).filter_by(
            conversation_id=ids[f"conversation_{audience}"])]
        db.session.add(ConversationResult(
            conversation_id=ids[f"conversation_{audience}"], vote_seq=1, n_votes=1,
            computed_at=now, math={"statements": texts}, points={}))
    db.session.commit()


def _text(response) -> str:
    if response.mimetype == "application/zip":
        with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
            return "\n".join(archive.read(name).decode() for name in archive.namelist())
    return response.get_data(as_text=True)


def _ids(world, kind):
    return {"budget": world.ids[f"budget_{kind}"],
            "conversation": world.ids[f"conversation_{kind}"],
            "petition": world.ids[f"petition_{kind}"]}


@pytest.mark.parametrize("role", ["anonymous", "citizen"])
@pytest.mark.parametrize("page", LISTINGS)
def test_listings_searches_and_exports_never_show_staff_only_items(world, role, page):
    response = world.client(role).get(page)
    assert response.status_code == 200
    assert STAFF_TITLE not in _text(response)


@pytest.mark.parametrize("role", ["anonymous", "citizen"])
@pytest.mark.parametrize("page", OBJECT_PAGES)
def test_public_pages_do_not_mention_staff_items_and_staff_pages_are_hidden(world, role, page):
    client = world.client(role)
    public = client.get(page.format(**_ids(world, "public")))
    assert public.status_code == 200, public.status_code
    assert STAFF_TITLE not in _text(public)
    assert client.get(page.format(**_ids(world, "staff"))).status_code == 404


@pytest.mark.parametrize("page", OBJECT_PAGES)
def test_an_official_reads_the_staff_only_pages(world, page):
    response = world.client("official").get(page.format(**_ids(world, "staff")))
    assert response.status_code == 200
    assert STAFF_TITLE in _text(response)


@pytest.mark.parametrize("page", ["/", "/budgets/", "/conversations/", "/petitions/",
                                  "/petitions/?q=staff-ONLY"])
def test_an_official_finds_them_in_listings(world, page):
    """(The petition exports are the open-data files: public petitions only, for everyone.)"""
    assert STAFF_TITLE in _text(world.client("official").get(page))
