"""Results off the request path: import, recompute, worker, map, report, downloads."""
from __future__ import annotations

import csv
import io
import json
import zipfile

import numpy as np
import pytest
from sqlalchemy import func, select

from deliberation.__main__ import main as engine_cli
from deliberation.models import Conversation, ConversationResult, Participant, Statement, Vote
from deliberation.polis_io import read_opendata
from tests.deliberation.polis_data import POLIS_DATA

from .web_helpers import TEXTS, open_conversation

UBERX = POLIS_DATA / "vtaiwan.uberx"


def imported(runner, path=UBERX) -> int:
    result = runner.invoke(args=["conversations", "import", str(path)])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("conversation ")
    return int(last.split()[1])


def groups_by_pid(math: dict) -> dict[int, int]:
    base = dict(zip(math["base-clusters"]["id"], math["base-clusters"]["members"], strict=True))
    return {pid: g["id"] for g in math["group-clusters"] for b in g["members"]
            for pid in base[b]}


def test_import_then_recompute_gives_the_engine_cli_groups(runner, db, capsys):
    cid = imported(runner)
    conversation = db.session.get(Conversation, cid)
    assert conversation.phase == "closed" and conversation.title.startswith("UberX")
    recomputed = runner.invoke(args=["conversations", "recompute", str(cid)])
    assert recomputed.exit_code == 0, recomputed.output
    stored = db.session.get(ConversationResult, cid)
    capsys.readouterr()
    assert engine_cli(["cluster", str(UBERX), "--format", "opendata", "--json"]) == 0
    expected = json.loads(capsys.readouterr().out)
    assert groups_by_pid(stored.math) == groups_by_pid(expected)
    assert stored.math["in-conv"] == expected["in-conv"]
    assert stored.n_votes == db.session.scalar(select(func.count()).select_from(Vote))
    assert db.session.scalar(select(Vote.modified_at)).tzinfo is not None


def test_export_then_import_gives_the_same_vote_matrix(runner, client, db, tmp_path):
    cid = imported(runner)
    runner.invoke(args=["conversations", "recompute", str(cid)])
    response = client.get(f"/conversations/{cid}/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    names = set(zipfile.ZipFile(io.BytesIO(response.data)).namelist())
    assert {"summary.csv", "comments.csv", "votes.csv", "participants-votes.csv"} <= names
    archive = tmp_path / "export.zip"
    archive.write_bytes(response.data)
    again = imported(runner, archive)
    assert again != cid
    original, copy = read_opendata(UBERX).matrix, None
    folder = tmp_path / "unzipped"
    zipfile.ZipFile(archive).extractall(folder)
    copy = read_opendata(folder).matrix
    assert np.array_equal(original.pids, copy.pids) and np.array_equal(original.tids, copy.tids)
    assert (original.raw != copy.raw).nnz == 0
    header = (folder / "participants-votes.csv").read_text().splitlines()[1]
    assert header.split(",")[1] != ""  # group ids filled from the stored run
    math = client.get(f"/conversations/{cid}/math.json")
    assert math.status_code == 200 and set(math.get_json()["in-conv"]) <= set(copy.pids.tolist())


@pytest.mark.parametrize("members, message", [
    ({"../evil.csv": "x", "votes.csv": "a"}, "unsafe path"),
    ({"/abs/votes.csv": "x"}, "unsafe path"),
    ({"readme.txt": "hello"}, "neither votes.csv"),
    ({"votes.csv": "0" * 5_000_000}, "too much data"),
    ({"votes.csv": "timestamp,datetime,comment-id,voter-id,vote\n1,,x,1,1\n"},
     "votes.csv, line 2: expected an integer"),
])
def test_bad_zips_are_refused_and_nothing_is_created(runner, db, tmp_path, members, message):
    archive = tmp_path / "bad.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    result = runner.invoke(args=["conversations", "import", str(archive)])
    assert result.exit_code != 0 and message in result.output
    assert db.session.scalar(select(func.count()).select_from(Conversation)) == 0


def test_not_a_zip_is_refused(runner, db, tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    result = runner.invoke(args=["conversations", "import", str(junk)])
    assert result.exit_code != 0 and "not a zip" in result.output


def vote_all(conversation, people, seed=1):
    from core.db import utcnow
    from deliberation import service

    cid, sids = conversation if isinstance(conversation, tuple) else (
        conversation.id, [s.id for s in conversation.statements])
    rng = np.random.default_rng(seed)
    for person in range(people):
        who = service.Who(anon_key=f"{seed}-{person}".ljust(64, "x"))
        lean = 1 if person % 2 else -1
        for i, sid in enumerate(sids):
            value = lean if i % 2 else -lean
            if rng.random() < 0.1:
                value = 0
            service.cast_vote(cid, sid, int(value), who=who, now=utcnow())


def test_worker_recomputes_only_changed_conversations_and_keeps_group_ids(runner, db):
    conversation = open_conversation(texts=[f"Statement {i}" for i in range(10)])
    cid, ids = conversation.id, (conversation.id, [s.id for s in conversation.statements])
    vote_all(ids, 24)
    once = ["conversations", "worker", "--once", "--no-umap"]
    first = runner.invoke(args=once)
    assert f"conversation {cid}: 240 votes" in first.output
    assert runner.invoke(args=once).output == ""  # nothing new: nothing recomputed
    before = db.session.get(ConversationResult, cid).math
    vote_all(ids, 30, seed=2)  # more people, same two camps
    assert f"conversation {cid}" in runner.invoke(args=once).output
    after = db.session.get(ConversationResult, cid)
    assert after.n_votes == 540
    old, new = groups_by_pid(before), groups_by_pid(after.math)
    assert all(new[pid] == gid for pid, gid in old.items())  # warm start: stable ids


def test_map_and_report_read_the_stored_run(runner, client, db, make_user, login_as):
    conversation = open_conversation(texts=[f"Statement {i}" for i in range(10)])
    assert "appears once enough people have voted" in client.get(
        f"/conversations/{conversation.id}/map").text
    vote_all(conversation, 24)
    runner.invoke(args=["conversations", "recompute", str(conversation.id)])
    page = client.get(f"/conversations/{conversation.id}/map")
    assert page.status_code == 200
    assert 'id="map-data"' in page.text and "Group A" in page.text
    assert "seconds ago" in page.text or "second ago" in page.text
    assert "<script>" not in page.text  # CSP: data only, drawn by static JS
    data = json.loads(page.text.split('id="map-data">')[1].split("</script>")[0])
    assert len(data["pids"]) == 24 and data["you"] is None
    report = client.get(f"/conversations/{conversation.id}/report")
    assert report.status_code == 200
    assert "Statement 9" in report.text and "Common ground across groups" in report.text
    assert "Quote in an official response" in report.text
    assert client.get("/vendor/plotly.min.js").status_code == 200


def test_you_are_here_on_the_map(runner, client, db):
    conversation = open_conversation(texts=[f"Statement {i}" for i in range(10)])
    vote_all(conversation, 20)
    for statement in conversation.statements:
        client.post(f"/conversations/{conversation.id}/vote",
                    data={"statement_id": statement.id, "vote": "agree"})
    runner.invoke(args=["conversations", "recompute", "--all"])
    page = client.get(f"/conversations/{conversation.id}/map")
    data = json.loads(page.text.split('id="map-data">')[1].split("</script>")[0])
    me = db.session.scalar(select(Participant.number).where(Participant.anon_key.is_not(None))
                           .order_by(Participant.id.desc()))
    assert data["you"] == me and me in data["pids"]


def test_recompute_needs_an_id_or_all_and_a_real_conversation(runner, db):
    assert runner.invoke(args=["conversations", "recompute"]).exit_code != 0
    assert "no conversation 42" in runner.invoke(
        args=["conversations", "recompute", "42"]).output
    conversation = open_conversation()
    quiet = runner.invoke(args=["conversations", "recompute", str(conversation.id)])
    assert "no votes yet" in quiet.output
    assert db.session.scalar(select(func.count()).select_from(Statement)) == 5


@pytest.mark.slow
def test_worker_computes_the_umap_view_and_the_report_shows_it(runner, client, db):
    conversation = open_conversation(texts=[f"Statement {i}" for i in range(10)])
    cid = conversation.id
    vote_all(conversation, 24)
    result = runner.invoke(args=["conversations", "worker", "--once", "--umap"])
    assert result.exit_code == 0, result.output
    umap = db.session.get(ConversationResult, cid).umap
    assert len(umap["pids"]) == 24 and "UMAP" in umap["label"]
    page = client.get(f"/conversations/{cid}/report").text
    assert 'id="umap-data"' in page and "Participants per group in this view" in page


def test_export_lists_statements_nobody_voted_on_with_zero_counts(runner, client, db,
                                                                  tmp_path):
    conversation = open_conversation()
    cid = conversation.id
    statements = {s.text: s.id for s in conversation.statements}
    voted = statements["More trees in the park."]
    response = client.post(f"/conversations/{cid}/vote",
                           data={"statement_id": voted, "vote": "agree"})
    assert response.status_code == 302
    archive = tmp_path / "export.zip"
    archive.write_bytes(client.get(f"/conversations/{cid}/export.zip").data)
    folder = tmp_path / "unzipped"
    zipfile.ZipFile(archive).extractall(folder)
    with open(folder / "comments.csv", newline="", encoding="utf-8") as fh:
        rows = {r["comment-body"]: r for r in csv.DictReader(fh)}
    assert set(rows) == set(statements)
    assert (rows["More trees in the park."]["agrees"],
            rows["More trees in the park."]["disagrees"]) == ("1", "0")
    for text in set(statements) - {"More trees in the park."}:
        assert (rows[text]["agrees"], rows[text]["disagrees"], rows[text]["moderated"]) \
            == ("0", "0", "1")
    exported = read_opendata(folder).matrix
    again = db.session.get(Conversation, imported(runner, archive))
    assert {s.text for s in again.statements} == set(statements)
    copy = read_opendata(folder).matrix
    assert np.array_equal(exported.pids, copy.pids) and (exported.raw != copy.raw).nnz == 0
    second = tmp_path / "again.zip"
    second.write_bytes(client.get(f"/conversations/{again.id}/export.zip").data)
    again_folder = tmp_path / "again"
    zipfile.ZipFile(second).extractall(again_folder)
    re_read = read_opendata(again_folder).matrix
    assert np.array_equal(exported.tids, re_read.tids) and (exported.raw != re_read.raw).nnz == 0
    assert (again_folder / "comments.csv").read_text().count("\n") == len(statements) + 1


def test_export_of_a_conversation_without_votes_still_lists_its_statements(client, tmp_path):
    conversation = open_conversation()
    data = client.get(f"/conversations/{conversation.id}/export.zip").data
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        rows = list(csv.DictReader(io.StringIO(zf.read("comments.csv").decode())))
    assert [r["comment-body"] for r in rows] == list(TEXTS)
    assert {(r["agrees"], r["disagrees"]) for r in rows} == {("0", "0")}
