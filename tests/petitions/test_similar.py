"""Similar petitions suggested while writing a new one: only petitions the reader may see in
the list, their own rate limit (not the creation limit), and an index fitted once."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.db import db
from core.process import Audience
from core.similarity import SimilarityIndex
from petitions import moderation, queries, service
from petitions.models import Petition
from tests.helpers import make_app
from tests.petitions.helpers import (
    SMALL_RULES,
    T0,
    open_petition,
    person,
    sign_and_confirm,
    sponsoring,
)

TITLE = "Fix the potholes on Mill Lane"
QUERY = "/petitions/similar.json?q=potholes on mill lane"


def _scheme(people, title, **rules):
    return moderation.save_scheme(
        None, actor=people["admin"], now=T0, title=title, authority="Council", description="",
        commitment="advisory", moderation_sla_days=14, area_kind="none", area_choices="",
        eligibility_text="", **{**SMALL_RULES, **rules})


def _suggested_ids(client):
    response = client.get(QUERY)
    assert response.status_code == 200
    return {hit["id"] for hit in response.get_json()}


@pytest.fixture
def same_title_everywhere(people, scheme):
    """The same petition text in every place a petition can be: only `listed` may be shown
    to the public, and `staff_only` to staff as well."""
    listed = open_petition(scheme, people, title=TITLE)
    staff_only = open_petition(_scheme(people, "Internal", audience=Audience.STAFF),
                               people, title=TITLE)
    below_threshold = open_petition(_scheme(people, "Listed at 4", visibility_threshold=4),
                                    people, title=TITLE)  # 3 signatures: not listed yet
    draft = service.create_petition(scheme_id=scheme.id, creator=people["citizen"],
                                    title=TITLE, action="Mine.", background="", now=T0)
    rejected = {}
    for reason in ("duplicate", "offensive"):  # listed with its text / hidden
        p = sponsoring(scheme, people, title=TITLE, action="Rejected.", now=T0)
        token = db.session.get(Petition, p.id).sponsor_token
        for i in range(2):
            sign_and_confirm(p.id, f"s{i}@example.org", now=T0, sponsor_token=token)
        rejected[reason] = moderation.reject(p.id, actor=people["moderator"], reason=reason,
                                             details="", now=T0).id
    assert db.session.get(Petition, below_threshold.id).listed_at is None
    return {"listed": listed.id, "staff_only": staff_only.id, "draft": draft.id, **rejected}


@pytest.mark.parametrize(("who", "expected"), [
    ("anonymous", {"listed"}),
    ("citizen", {"listed"}),  # not even their own draft: it is in no list
    ("moderator", {"listed", "staff_only"}),
    ("official", {"listed", "staff_only"}),
])
def test_only_petitions_the_reader_may_see_in_the_list_are_suggested(
        app, login_as, people, same_title_everywhere, who, expected):
    client = app.test_client()
    if who != "anonymous":
        login_as(client, people[who])
    assert _suggested_ids(client) == {same_title_everywhere[name] for name in expected}


def test_the_check_button_suggests_only_visible_petitions_too(
        app, login_as, people, scheme, same_title_everywhere):
    client = app.test_client()
    login_as(client, people["citizen"])
    page = client.post("/petitions/new", data={
        "scheme_id": scheme.id, "title": "Mend the potholes on Mill Lane",
        "action": "The road is dangerous.", "check": "1"}).get_data(True)
    suggested = {pid for name, pid in same_title_everywhere.items()
                 if f'href="/petitions/{pid}"' in page}
    assert suggested == {same_title_everywhere["listed"]}


def test_suggestions_follow_changes_to_the_list_without_a_restart(
        app, people, scheme, monkeypatch):
    fits = []

    class CountingIndex(SimilarityIndex):
        def __init__(self, candidates):
            fits.append(len(candidates))
            super().__init__(candidates)

    monkeypatch.setattr(queries, "SimilarityIndex", CountingIndex)
    client = app.test_client()
    first = open_petition(scheme, people, title=TITLE)
    assert _suggested_ids(client) == {first.id}
    assert _suggested_ids(client) == {first.id}
    assert fits == [1]  # fitted once, reused by the second request

    second = open_petition(scheme, people, title="Potholes on Mill Lane again")
    assert _suggested_ids(client) == {first.id, second.id}
    moderation.save_scheme(scheme.id, actor=people["admin"], now=T0, **{
        **{name: getattr(scheme, name) for name in moderation.SCHEME_FIELDS},
        "audience": Audience.STAFF})
    assert _suggested_ids(client) == set()  # now staff-only: gone for the public at once
    assert fits == [1, 2, 0]


def test_the_index_ranks_by_shared_text_and_counts_words_it_has_never_seen():
    index = SimilarityIndex([(1, TITLE), (2, "Free swimming lessons for children"),
                             (3, "Fix the potholes on Mill Road")])
    assert [pid for pid, _ in index.similar("potholes mill lane")] == [1, 3]
    alone = dict(index.similar("potholes", min_score=0))[1]
    padded = dict(index.similar("potholes xylophone quartzite zeppelin", min_score=0))[1]
    assert padded < alone / 2  # unseen words dilute the match instead of being ignored
    assert index.similar("   ") == [] and SimilarityIndex([]).similar("potholes") == []
    with pytest.raises(ValueError):
        index.similar("potholes", limit=0)


def _petition_count():
    return db.session.scalar(select(func.count(Petition.id)))


def test_checking_for_similar_petitions_does_not_use_up_the_creation_limit(
        tmp_path, login_as):
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, PETITIONS_CREATE_RATE="2 per 5 minutes",
                   PETITIONS_SIMILAR_RATE="4 per minute")
    with app.app_context():
        user = person("c@example.org", "C")
        db.session.commit()
        scheme = moderation.save_scheme(
            None, actor=None, now=T0, title="S", authority="A", description="",
            commitment="advisory", moderation_sla_days=5, area_kind="none", area_choices="",
            eligibility_text="", **SMALL_RULES)
        client = app.test_client()
        login_as(client, user)
        form = {"scheme_id": scheme.id, "title": "Fix the road", "action": "Repair it"}
        post = lambda **extra: client.post("/petitions/new",  # noqa: E731
                                           data={**form, **extra}).status_code
        checks = [post(check="1"), post(check="1")]
        sent_back = post(create="1", title="")  # an error to correct: no draft, not counted
        saves = [post(create="1"), post(create="1"), post(create="1")]
        drafts = _petition_count()
        check_after_saves = post(check="1")  # creation limit reached: checking still works
        # Look-ups share their own budget of 4: 3 checks + 1 here, then refused.
        lookups = [client.get(QUERY).status_code for _ in range(2)]
        last_check = post(check="1")
        elsewhere = app.test_client().get(QUERY, environ_base={"REMOTE_ADDR": "192.0.2.9"})
        db.session.remove()
    assert checks == [200, 200] and sent_back == 400
    assert saves == [302, 302, 429] and drafts == 2
    assert check_after_saves == 200
    assert lookups == [200, 429] and last_check == 429
    assert elsewhere.status_code == 200
