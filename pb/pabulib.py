"""Read and write pabulib ``.pb`` files (docs/pb-rules.md §1).

A ``.pb`` file is ``;``-separated CSV in three sections, META, PROJECTS and VOTES, each a
section-name line, a header line and rows. We read it with the csv module (quoted fields may
hold ``;``), tolerate the quirks of real files (spaces after ``;``, ``,`` as decimal separator,
voter columns in any order, empty ballots) and refuse what would silently change an outcome
(unknown or repeated project ids, negative costs, missing sections or columns, counts that
disagree with META) with a :class:`PabulibError` naming the line. Pure: no Flask.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path

from pb.instance import (
    VOTE_TYPES,
    Instance,
    Profile,
    Project,
    exact_number,
    format_money,
)

SECTIONS = ("META", "PROJECTS", "VOTES")


class PabulibError(ValueError):
    """A malformed ``.pb`` file; the message starts with ``<source>:<line>:``."""

    def __init__(self, source: str, line: int, message: str):
        super().__init__(f"{source}:{line}: {message}")
        self.source = source
        self.line = line


def read_pabulib(path: str | Path) -> tuple[Instance, Profile]:
    """Parse the ``.pb`` file at ``path`` into an :class:`Instance` and its :class:`Profile`.

    Raises
    ------
    PabulibError
        For any malformed content, with the offending line number.
    """
    path = Path(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return parse_pabulib(handle, source=path.name)


def parse_pabulib(text: str | Iterable[str], *, source: str = "<pabulib>"):
    """Parse ``.pb`` content (a string or an iterable of lines); see :func:`read_pabulib`."""
    if isinstance(text, str):
        text = io.StringIO(text)
    reader = csv.reader(text, delimiter=";", skipinitialspace=True)
    sections = _Sections(reader, source)
    meta = _read_meta(sections)
    instance = _read_projects(sections, meta)
    profile = _read_votes(sections, instance)
    return instance, profile


class _Sections:
    """Rows of the file grouped by section, with line numbers for error messages."""

    def __init__(self, reader, source: str):
        self.reader = reader
        self.source = source
        self.pending: list[str] | None = None

    def fail(self, message: str, line: int | None = None):
        raise PabulibError(self.source, self.reader.line_num if line is None else line, message)

    def _next_row(self) -> list[str] | None:
        if self.pending is not None:
            row, self.pending = self.pending, None
            return row
        for row in self.reader:
            if any(cell.strip() for cell in row):
                return [cell.strip() for cell in row]
        return None

    def start(self, name: str) -> list[str]:
        """Consume the section line ``name`` and return its header."""
        row = self._next_row()
        if row is None:
            self.fail(f"missing section {name} (file ends before it)")
        if len(row) != 1 or row[0].upper() != name:
            self.fail(f"expected section {name}, found {';'.join(row)[:60]!r}")
        header = self._next_row()
        if header is None or (len(header) == 1 and header[0].upper() in SECTIONS):
            self.fail(f"section {name} has no header line")
        return [cell.lower() for cell in header]

    def table(self, name: str, *, required: tuple[str, ...]) -> list[str]:
        """Consume a tabular section; its header must name each ``required`` column, and no
        column twice."""
        header = self.start(name)
        for column in required:
            if column not in header:
                self.fail(f"{name} header lacks the column {column!r}")
        if len(set(header)) != len(header):
            self.fail(f"{name} header repeats a column")
        return header

    def rows(self) -> Iterator[list[str]]:
        """Rows up to the next section line (which stays pending) or the end."""
        while True:
            row = self._next_row()
            if row is None:
                return
            if len(row) == 1 and row[0].upper() in SECTIONS:
                self.pending = row
                return
            yield row


def _read_meta(sections: _Sections) -> dict[str, str]:
    header = sections.start("META")
    if header[:2] != ["key", "value"]:
        sections.fail(f"META header must be 'key;value', found {';'.join(header)!r}")
    meta: dict[str, str] = {}
    for row in sections.rows():
        if len(row) != 2:
            sections.fail(f"META rows have 2 fields (key;value), found {len(row)}")
        key, value = row[0].lower(), row[1]
        if key in meta:
            sections.fail(f"META key {key!r} appears twice")
        meta[key] = value
    for key in ("budget", "vote_type"):
        if key not in meta:
            sections.fail(f"META lacks the required key {key!r}")
    try:
        budget = exact_number(meta["budget"])
    except ValueError as exc:
        sections.fail(f"META budget: {exc}")
    if budget < 0:
        sections.fail(f"META budget is negative: {meta['budget']}")
    if meta["vote_type"].strip() not in VOTE_TYPES:
        sections.fail(
            f"unknown vote_type {meta['vote_type']!r} (expected one of {', '.join(VOTE_TYPES)})"
        )
    return meta


def _read_projects(sections: _Sections, meta: dict[str, str]) -> Instance:
    header = sections.table("PROJECTS", required=("project_id", "cost"))
    id_at, cost_at = header.index("project_id"), header.index("cost")
    projects: dict[str, Project] = {}
    for row in sections.rows():
        if len(row) != len(header):
            sections.fail(f"PROJECTS row has {len(row)} fields, the header has {len(header)}")
        pid = row[id_at]
        if not pid:
            sections.fail("empty project_id")
        if pid in projects:
            sections.fail(f"duplicate project_id {pid!r}")
        try:
            cost = exact_number(row[cost_at])
        except ValueError as exc:
            sections.fail(f"project {pid}: cost {exc}")
        if cost < 0:
            sections.fail(f"project {pid}: negative cost {row[cost_at]}")
        extra = {name: row[i] for i, name in enumerate(header) if i not in (id_at, cost_at)}
        projects[pid] = Project(pid, cost, extra)
    _check_count(sections, meta, "num_projects", len(projects))
    return Instance(meta=meta, projects=tuple(projects.values()), project_columns=tuple(header))


def _check_count(sections: _Sections, meta: dict[str, str], key: str, found: int) -> None:
    stated = meta.get(key, "").strip()
    if stated and stated != str(found):
        sections.fail(f"META {key} is {stated} but the section has {found} rows")


def _read_votes(sections: _Sections, instance: Instance) -> Profile:
    header = sections.table("VOTES", required=("voter_id", "vote"))
    with_points = instance.vote_type in ("cumulative", "scoring")
    if with_points and "points" not in header:
        sections.fail(f"{instance.vote_type} VOTES need a 'points' column")
    id_at, vote_at = header.index("voter_id"), header.index("vote")
    points_at = header.index("points") if with_points else vote_at
    meta_at = [i for i in range(len(header)) if i not in (id_at, vote_at, points_at)]
    known = instance.project_by_id
    width = len(header)
    voter_ids: list[str] = []
    ballot_index: list[int] = []
    meta_rows: list[tuple[str, ...]] = []
    # Real files repeat the same vote text many times: parse and check each text once.
    index_of_text: dict[tuple[str, str], int] = {}
    index_of_ballot: dict[tuple, int] = {}
    for row in sections.reader:  # the tight loop: Łódź has 90,494 rows
        if len(row) != width:
            if not any(cell.strip() for cell in row):
                continue
            sections.fail(f"VOTES row has {len(row)} fields, the header has {width}")
        text_key = (row[vote_at], row[points_at])
        k = index_of_text.get(text_key)
        if k is None:
            ballot = _parse_vote(sections, row[id_at].strip(), text_key, known, with_points)
            k = index_of_text[text_key] = index_of_ballot.setdefault(ballot, len(index_of_ballot))
        voter_ids.append(row[id_at].strip())
        ballot_index.append(k)
        if meta_at:
            meta_rows.append(tuple([row[i].strip() for i in meta_at]))
    if len(set(voter_ids)) != len(voter_ids):
        seen: set[str] = set()
        duplicate = next(v for v in voter_ids if v in seen or seen.add(v))
        sections.fail(f"duplicate voter_id {duplicate!r}")
    _check_count(sections, dict(instance.meta), "num_votes", len(voter_ids))
    columns = list(zip(*meta_rows, strict=True)) if meta_rows else [() for _ in meta_at]
    return Profile(
        vote_columns=tuple(header),
        voter_ids=tuple(voter_ids),
        distinct=tuple(index_of_ballot),
        ballot_index=tuple(ballot_index),
        extra=tuple((header[i], tuple(values)) for i, values in zip(meta_at, columns, strict=True)),
    )


def _parse_vote(sections: _Sections, voter: str, text_key, known, with_points: bool):
    """(project ids, points or None) of one vote text, checked against the projects."""
    vote = text_key[0].strip()
    chosen = tuple(pid.strip() for pid in vote.split(",")) if vote else ()
    if "" in chosen:
        sections.fail(f"voter {voter}: empty project id in vote {vote!r}")
    if len(set(chosen)) != len(chosen):
        sections.fail(f"voter {voter}: a project appears twice in vote {vote!r}")
    for pid in chosen:
        if pid not in known:
            sections.fail(f"voter {voter}: unknown project id {pid!r}")
    if not with_points:
        return chosen, None
    return chosen, _read_points(sections, voter, text_key[1].strip(), len(chosen))


def _read_points(sections: _Sections, voter: str, text: str, length: int):
    parts = [part for part in text.split(",")] if text else []
    if len(parts) != length:
        sections.fail(f"voter {voter}: {length} project(s) but {len(parts)} point value(s)")
    try:
        points = tuple(exact_number(part) for part in parts)
    except ValueError as exc:
        sections.fail(f"voter {voter}: points {exc}")
    if any(value < 0 for value in points):
        sections.fail(f"voter {voter}: negative points {text!r}")
    return points


def write_pabulib(instance: Instance, profile: Profile, path: str | Path) -> None:
    """Write the election to ``path`` so that :func:`read_pabulib` gives it back unchanged."""
    Path(path).write_text(format_pabulib(instance, profile), encoding="utf-8")


def format_pabulib(instance: Instance, profile: Profile) -> str:
    """The ``.pb`` text of an election (quoted where needed, ``\\n`` line ends)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows(instance.meta.items())
    writer.writerow(["PROJECTS"])
    writer.writerow(instance.project_columns)
    for project in instance.projects:
        cells = {"project_id": project.id, "cost": format_money(project.cost), **project.extra}
        writer.writerow([cells.get(name, "") for name in instance.project_columns])
    writer.writerow(["VOTES"])
    writer.writerow(profile.vote_columns)
    texts = [
        (",".join(projects), "" if points is None else ",".join(map(format_money, points)))
        for projects, points in profile.distinct
    ]
    extra = dict(profile.extra)
    for v, (voter, k) in enumerate(zip(profile.voter_ids, profile.ballot_index, strict=True)):
        cells = {"voter_id": voter, "vote": texts[k][0], "points": texts[k][1]}
        writer.writerow(
            [cells[name] if name in cells else extra[name][v] for name in profile.vote_columns]
        )
    return out.getvalue()
