"""Public pages, exports, access control and staff pages."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from core.audit import AuditEntry
from core.db import db
from petitions import moderation
from petitions.models import Petition, Signature
from tests.helpers import make_app
from tests.petitions.helpers import SMALL_RULES, T0, open_petition, person, sign_and_confirm

NOW = T0 + timedelta(days=3)
SIGNER_NAME, SIGNER_EMAIL, SIGNER_IP = "Zelda Quixote", "zelda.q@private.example", "198.51.100.77"


pytestmark = pytest.mark.frozen_clock(NOW)


def _petition_with_signer(scheme, people, **kw):
    p = open_petition(scheme, people, **kw)
    sign_and_confirm(p.id, SIGNER_EMAIL, name=SIGNER_NAME, ip=SIGNER_IP, area="North", now=NOW)
    return p


STAFF_ROUTES = [
    ("get", "/petitions/officials", {"official", "admin"}),
    ("get", "/petitions/{id}/respond", {"official", "admin"}),
    ("post", "/petitions/{id}/respond", {"official", "admin"}),
    ("get", "/petitions/moderation", {"moderator", "admin"}),
    ("post", "/petitions/{id}/approve", {"moderator", "admin"}),
    ("post", "/petitions/{id}/reject", {"moderator", "admin"}),
    ("get", "/petitions/{id}/invalidate", {"moderator", "admin"}),
    ("post", "/petitions/{id}/invalidate", {"moderator", "admin"}),
    ("get", "/petitions/{id}/debate", {"moderator", "admin"}),
    ("post", "/petitions/{id}/debate", {"moderator", "admin"}),
    ("get", "/petitions/schemes", {"admin"}),
    ("get", "/petitions/schemes/new", {"admin"}),
    ("post", "/petitions/schemes/{scheme}", {"admin"}),
]


@pytest.mark.parametrize("method,route,allowed", STAFF_ROUTES)
@pytest.mark.parametrize("role", ["anonymous", "citizen", "creator", "moderator", "official",
                                  "admin"])
def test_staff_routes_are_closed_to_everyone_else(app, login_as, people, scheme, petition,
                                                  method, route, allowed, role):
    client = app.test_client()
    if role != "anonymous":
        login_as(client, people[role])
    url = route.format(id=petition.id, scheme=scheme.id)
    response = getattr(client, method)(url)
    status = response.status_code
    if role == "anonymous":  # 401, or the site's redirect to the login page
        assert status == 401 or (status == 302 and "login" in response.headers["Location"])
    elif role in allowed:
        assert status not in (401, 403) and status < 500
    else:
        assert status == 403


def test_exports_carry_counts_and_thresholds_but_no_personal_data(client, people, scheme):
    p = _petition_with_signer(scheme, people)
    responses = [client.get(url) for url in (
        "/petitions/export.json", "/petitions/export.csv", f"/petitions/{p.id}.json",
        f"/petitions/{p.id}.csv")]
    assert [r.status_code for r in responses] == [200] * 4
    bodies = [r.get_data(as_text=True) for r in responses]
    for body in bodies:
        assert "Fix the potholes" in body  # the petition itself is there
        assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", body)  # no email address at all
        assert not re.search(r"\b\d{1,3}(\.\d{1,3}){3}\b", body)  # no IPv4 address
        for secret in (SIGNER_NAME, "Zelda", "Charlie Creator", "sponsor0"):
            assert secret not in body
    record = json.loads(bodies[2])
    assert record["signature_count"] == 4
    assert record["thresholds"]["response"] == 4
    assert record["response_threshold_reached_at"] == NOW.isoformat()
    assert record["signatures_by_area"] == {"North": 1}
    rows = list(csv.reader(io.StringIO(bodies[1])))
    assert rows[0][0] == "id" and rows[1][5] == "4"


def test_one_petitions_csv_has_its_counts_then_signatures_by_area(client, people, scheme):
    p = _petition_with_signer(scheme, people)
    sign_and_confirm(p.id, "second@example.org", name="Second Signer", area="North", now=NOW)
    sign_and_confirm(p.id, "third@example.org", name="Third Signer", area="South", now=NOW)
    response = client.get(f"/petitions/{p.id}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f"petition-{p.id}.csv" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    header, row, blank, area_header, *by_area = list(csv.reader(io.StringIO(body)))
    record = dict(zip(header, row, strict=True))
    assert (record["id"], record["title"], record["state"]) == (
        str(p.id), "Fix the potholes on Mill Lane", "open")
    assert (record["signature_count"], record["response_threshold"],
            record["debate_threshold"]) == ("6", "4", "6")
    assert record["response_state"] == "awaiting" and record["commitment"] == "advisory"
    assert (blank, area_header) == ([], ["area", "signatures"])
    assert sorted(by_area) == [["North", "2"], ["South", "1"]]
    for secret in (SIGNER_NAME, SIGNER_EMAIL, SIGNER_IP, "Second Signer", "second@",
                   "Charlie Creator"):
        assert secret not in body


def test_the_petition_page_offers_its_own_address_to_share(client, people, scheme):
    p = open_petition(scheme, people)
    page = client.get(f"/petitions/{p.id}").get_data(as_text=True)
    assert re.search(r'<label for="share">Share link</label>\s*<input id="share" type="text" '
                     rf'readonly value="http://civic.test/petitions/{p.id}">', page)


def test_a_district_outside_the_list_is_refused_with_an_error_on_the_field(
        client, people, scheme):
    p = open_petition(scheme, people)  # districts North and South
    response = client.post(f"/petitions/{p.id}/sign", data={
        "name": "Al Atlantean", "email": "al@example.org", "eligible": "y", "area": "Atlantis"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r'<select id="area" name="area" aria-invalid="true" '
                     r'aria-describedby="area-error">', page)
    assert '<p class="error" id="area-error">Choose a district from the list.</p>' in page
    assert db.session.scalar(select(Signature).where(Signature.email == "al@example.org")) is None
    assert db.session.get(Petition, p.id).signature_count == 3


def test_a_chosen_district_stays_chosen_when_another_field_is_wrong(client, people, scheme):
    p = open_petition(scheme, people)
    response = client.post(f"/petitions/{p.id}/sign", data={
        "name": "Sue South", "email": "sue@example.org", "area": "South"})  # not eligible
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "You must confirm you are eligible." in page
    assert "<option selected>South</option>" in page and 'id="area-error"' not in page


ADVISORY_FRAMING = ("Advisory: the authority takes it as input", "Small UK-like · Council")


def test_every_page_of_signing_by_email_shows_the_schemes_commitment(client, people, scheme):
    p = open_petition(scheme, people)
    pages = {"petition": client.get(f"/petitions/{p.id}")}
    pages["sent"] = client.post(f"/petitions/{p.id}/sign", data={
        "name": "Fran Framing", "email": "fran@example.org", "eligible": "y"})
    token = db.session.scalar(select(Signature.token).where(
        Signature.email == "fran@example.org"))
    pages["confirm"] = client.get(f"/petitions/confirm/{token}")
    pages["confirmed"] = client.post(f"/petitions/confirm/{token}")
    pages["already signed"] = client.post(f"/petitions/{p.id}/sign", data={
        "name": "Fran Framing", "email": "fran@example.org", "eligible": "y"})
    pages["used link"] = client.get(f"/petitions/confirm/{token}")
    assert {name: r.status_code for name, r in pages.items()} == {
        "petition": 200, "sent": 200, "confirm": 200, "confirmed": 200, "already signed": 200,
        "used link": 404}
    for name, response in pages.items():
        page = response.get_data(as_text=True)
        if name == "used link":  # the token is spent: no petition to name any more
            assert "This link is not valid or has already been used." in page
            assert ADVISORY_FRAMING[0] not in page
            continue
        assert all(text in page for text in ADVISORY_FRAMING), name
    assert "Your signature has been confirmed." in pages["confirmed"].get_data(as_text=True)
    assert db.session.get(Petition, p.id).signature_count == 4


def test_signing_a_closed_petition_says_so_and_still_shows_the_commitment(
        client, people, scheme):
    p = open_petition(scheme, people)
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        response = client.post(f"/petitions/{p.id}/sign", data={
            "name": "Lou Late", "email": "late@example.org", "eligible": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert all(text in page for text in ADVISORY_FRAMING)


def test_csv_cells_that_look_like_formulas_are_neutralised(client, people, scheme):
    open_petition(scheme, people, title="=HYPERLINK(\"http://x\")")
    rows = list(csv.reader(io.StringIO(client.get("/petitions/export.csv").get_data(True))))
    assert rows[1][1].startswith("'=")


def test_petition_text_is_shown_escaped(client, people, scheme):
    p = open_petition(scheme, people, title="<script>alert(1)</script>{{7*7}}")
    page = client.get(f"/petitions/{p.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert "&lt;/script&gt;{{7*7}}" in page  # shown literally, never evaluated


def test_the_list_filters_searches_and_sorts(client, people, scheme):
    a = _petition_with_signer(scheme, people, title="Fix the potholes")
    b = open_petition(scheme, people, title="100% renewable street lights")
    page = client.get("/petitions/?status=awaiting_response").get_data(True)
    assert "Fix the potholes" in page and "renewable" not in page
    page = client.get("/petitions/?q=100%25").get_data(True)
    assert "renewable" in page and "potholes" not in page
    assert "potholes" not in client.get("/petitions/?q=_").get_data(True)  # LIKE escaped
    page = client.get("/petitions/?sort=signatures").get_data(True)
    assert page.index(f"/petitions/{a.id}\"") < page.index(f"/petitions/{b.id}\"")
    assert client.get("/petitions/?status=bogus").status_code == 400
    with time_machine.travel(NOW + timedelta(days=12), tick=False):
        assert "potholes" in client.get("/petitions/?status=overdue").get_data(True)


def test_unpublished_petitions_are_visible_only_to_their_creator_and_staff(
        app, login_as, people, scheme):
    from petitions import service
    p = service.create_petition(scheme_id=scheme.id, creator=people["creator"], title="Draft",
                                action="x", background="", now=NOW)
    anon = app.test_client()
    assert anon.get(f"/petitions/{p.id}").status_code == 404
    assert anon.get(f"/petitions/{p.id}.json").status_code == 404
    creator = app.test_client()
    login_as(creator, people["creator"])
    assert "Submit and collect sponsors" in creator.get(f"/petitions/{p.id}").get_data(True)


def test_similar_petitions_are_suggested_while_creating(app, login_as, people, scheme):
    open_petition(scheme, people, title="Fix the potholes on Mill Lane")
    open_petition(scheme, people, title="Free swimming lessons for children",
                  action="Every child should learn to swim at the public pool.")
    client = app.test_client()
    login_as(client, people["citizen"])
    page = client.post("/petitions/new", data={
        "scheme_id": scheme.id, "title": "Repair potholes in Mill Lane",
        "action": "Mend the road", "check": "1"}).get_data(True)
    assert "Fix the potholes on Mill Lane" in page and "swimming" not in page
    assert db.session.scalar(select(Petition).where(Petition.title.like("Repair%"))) is None
    hits = client.get("/petitions/similar.json?q=potholes mill lane").get_json()
    assert hits[0]["title"] == "Fix the potholes on Mill Lane"


def test_creating_petitions_is_rate_limited(tmp_path, login_as):
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, PETITIONS_CREATE_RATE="2 per 5 minutes")
    with app.app_context():
        user = person("c@example.org", "C")
        scheme = moderation.save_scheme(
            None, actor=None, now=NOW, title="S", authority="A", description="",
            commitment="advisory", sponsor_count=0, visibility_threshold=0,
            response_threshold=10, window_days=10, debate_threshold=None, response_due_days=10,
            moderation_sla_days=5, area_kind="none", area_choices="", eligibility_text="")
        client = app.test_client()
        login_as(client, user)
        data = {"scheme_id": scheme.id, "title": "T", "action": "A", "create": "1"}
        codes = [client.post("/petitions/new", data=data).status_code for _ in range(3)]
        db.session.remove()
    assert codes == [302, 302, 429]


def _limited_petition_app(tmp_path, **config):
    """An app with Flask-Limiter on (the `app` fixture switches it off) and one open petition."""
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, PETITIONS_SIGNING_LIMITS=False,
                   SERVER_NAME="civic.test", **config)
    with app.app_context():
        people = {name: person(f"{name}@example.org", name.title(), roles)
                  for name, roles in (("creator", ()), ("moderator", ("moderator",)))}
        db.session.commit()
        scheme = moderation.save_scheme(
            None, actor=None, now=T0, title="S", authority="A", description="",
            commitment="advisory", moderation_sla_days=5, area_kind="none", area_choices="",
            eligibility_text="", **SMALL_RULES)
        pid = open_petition(scheme, people).id
        db.session.remove()
    return app, pid


def _sign_form(i):
    return {"name": f"Person {i}", "email": f"person{i}@example.org", "eligible": "y"}


def test_sign_posts_are_limited_per_ip_by_flask_limiter(tmp_path):
    app, pid = _limited_petition_app(tmp_path, PETITIONS_SIGN_RATE="3 per minute")
    client = app.test_client()
    with app.app_context():
        codes = [client.post(f"/petitions/{pid}/sign", data=_sign_form(i)).status_code
                 for i in range(4)]
        blocked = client.post(f"/petitions/{pid}/sign", data=_sign_form(9),
                              headers={"Accept": "application/json"})
        html = client.post(f"/petitions/{pid}/sign", data=_sign_form(10))
        other_ip = app.test_client().post(f"/petitions/{pid}/sign", data=_sign_form(11),
                                          environ_base={"REMOTE_ADDR": "192.0.2.50"})
        stored = db.session.scalar(select(func.count(Signature.id)).where(
            Signature.email.like("person%")))
        db.session.remove()
    assert codes == [200, 200, 200, 429]
    assert blocked.status_code == 429 and blocked.json["status"] == 429
    assert html.status_code == 429 and "Too many attempts" in html.get_data(True)
    assert other_ip.status_code == 200
    assert stored == 4  # the refused posts wrote nothing (3 + the other address)


def test_the_default_sign_limit_is_generous(tmp_path):
    app, pid = _limited_petition_app(tmp_path)
    client = app.test_client()
    with app.app_context():
        codes = [client.post(f"/petitions/{pid}/sign", data=_sign_form(i)).status_code
                 for i in range(31)]
        db.session.remove()
    assert codes == [200] * 30 + [429]


def test_moderators_see_trending_ips_and_invalidate_after_a_preview(
        app, login_as, people, scheme):
    p = _petition_with_signer(scheme, people)
    client = app.test_client()
    login_as(client, people["moderator"])
    page = client.get("/petitions/moderation").get_data(True)
    assert SIGNER_IP in page and "private.example" in page
    r = client.post(f"/petitions/{p.id}/invalidate", data={"ip": SIGNER_IP, "preview": "1"})
    assert "1 signature matches" in r.get_data(True)
    assert db.session.get(Petition, p.id).signature_count == 4
    client.post(f"/petitions/{p.id}/invalidate", data={"ip": SIGNER_IP, "confirm": "1"})
    db.session.expire_all()
    assert db.session.get(Petition, p.id).signature_count == 3
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "signatures.invalidated"))
    assert entry.actor_id == people["moderator"].id and SIGNER_IP not in json.dumps(entry.details)


def test_admins_edit_a_scheme_through_the_form(app, login_as, people, scheme):
    client = app.test_client()
    login_as(client, people["admin"])
    form = {name: getattr(scheme, name) for name in moderation.SCHEME_FIELDS}
    form.update(response_threshold=50, debate_threshold="", commitment="binding")
    r = client.post(f"/petitions/schemes/{scheme.id}", data=form)
    assert r.status_code == 302
    db.session.expire_all()
    assert (scheme.response_threshold, scheme.debate_threshold, scheme.commitment) == (
        50, None, "binding")
    form.update(response_threshold=0)
    assert client.post(f"/petitions/schemes/{scheme.id}", data=form).status_code == 400


def test_a_moderator_approving_twice_gets_409_and_the_queue_with_a_message(
        app, client, people, petition, login_as):
    """A stale double click must land on a page that explains (no JavaScript needed)."""
    login_as(client, people["moderator"])
    response = client.post(f"/petitions/{petition.id}/approve")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert ('role="alert">This action is not possible while the petition is “Open”.'
            in page)
    assert "Awaiting moderation" in page


def test_a_petition_that_closed_below_its_threshold_owes_no_response(client, scheme, people):
    p = open_petition(scheme, people)  # 3 signatures, 4 needed for a response
    assert "No response needed yet" in client.get(f"/petitions/{p.id}").get_data(True)
    with time_machine.travel(NOW + timedelta(days=31), tick=False):  # window 30 days, no tick
        page = client.get(f"/petitions/{p.id}").get_data(True)
        listing = client.get("/petitions/?status=closed").get_data(True)
    for html in (page, listing):
        assert "No response: threshold not reached" in html and "needed yet" not in html


def test_the_home_page_points_to_open_petitions(client, scheme, people):
    assert "No petition is open right now." in client.get("/").get_data(True)
    p = open_petition(scheme, people, title="Plant trees on <Elm> Street")
    home = client.get("/").get_data(True)
    assert f'href="/petitions/{p.id}"' in home and "Plant trees on &lt;Elm&gt; Street" in home
    assert "3 signatures" in home
    with time_machine.travel(NOW + timedelta(days=31), tick=False):  # closed: no longer listed
        assert f'href="/petitions/{p.id}"' not in client.get("/").get_data(True)
