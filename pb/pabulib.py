"""Read and write pabulib ``.pb`` files (docs/pb-rules.md §1).

A ``.pb`` file is ``;``-separated CSV in three sections, META, PROJECTS and VOTES, each a
section-name line, a header line and rows. META and PROJECTS are read with the csv module (quoted
fields may hold ``;``); VOTES, which is nearly all of a large file, is split with ``str.split``
when it holds no quote (one pass over the rows, each distinct vote text parsed once), and with
the csv module otherwise. Both paths give the same election and the same messages.

Every file pabutools 1.2.3 reads is read with the same meaning (its parser,
``pabutools/election/pabulib.py``, tolerates these; we report each as a *repair*):

- a project repeated in an approval vote counts once; in an ordinal vote its first position
  counts; in a cumulative/scoring vote the last points given to it count (at its first
  position, as a dict assignment does);
- empty project ids inside an approval/ordinal vote (``1,,2``, ``1,2,``) are skipped;
- ``choose-1`` votes listing several projects are read as approval;
- more point values than projects: the extra ones are ignored;
- a vote (or, for cumulative/scoring, its points) ``none`` is an empty ballot;
- META keys given twice (the last value counts), META rows with extra fields (ignored);
- PROJECTS/VOTES rows with fewer fields than the header (the missing ones are absent);
- a project_id given twice (the first row counts), a voter_id given twice (both ballots count);
- ``num_projects``/``num_votes`` that disagree with the rows (META is not trusted).

A ``none`` metadata field (any case) is absent: left out of ``Project.extra`` and read as ``""``
in the voter columns; this is the format's null, not a repair. Each kind of repair is reported
once, at its first line, with a count: ``file:line: warning: ... (N times)``. ``strict=True``
refuses the first repair as a :class:`PabulibError` instead. What pabutools does not read either
(unknown project ids, costs or points that are not numbers, missing sections or columns, rows
longer than their header) and negative costs or points are always errors naming the line.
Pure: no Flask.
"""

from __future__ import annotations

import csv
import gc
import io
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, repeat
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
ABSENT = "none"
"""A field whose text is ``none`` (any case) is absent, as in pabutools."""


class PabulibError(ValueError):
    """A malformed ``.pb`` file; the message starts with ``<source>:<line>:``."""

    def __init__(self, source: str, line: int, message: str):
        super().__init__(f"{source}:{line}: {message}")
        self.source = source
        self.line = line


class PabulibWarning(UserWarning):
    """A repaired quirk of a ``.pb`` file (emitted when no ``on_warning`` callback is given)."""


def read_pabulib(
    path: str | Path,
    *,
    strict: bool = False,
    on_warning: Callable[[str], None] | None = None,
) -> tuple[Instance, Profile]:
    """Parse the ``.pb`` file at ``path`` into an :class:`Instance` and its :class:`Profile`.

    Parameters
    ----------
    strict : refuse every repair (see the module docstring) as a :class:`PabulibError`.
    on_warning : called with each ``file:line: warning: ... (N times)`` line; by default the
        lines are emitted as :class:`PabulibWarning` with :func:`warnings.warn`.

    Raises
    ------
    PabulibError
        For any malformed content, with the offending line number.
    """
    path = Path(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        text = handle.read()
    return parse_pabulib(text, source=path.name, strict=strict, on_warning=on_warning)


def parse_pabulib(
    text: str | Iterable[str],
    *,
    source: str = "<pabulib>",
    strict: bool = False,
    on_warning: Callable[[str], None] | None = None,
) -> tuple[Instance, Profile]:
    """Parse ``.pb`` content (a string or an iterable of lines); see :func:`read_pabulib`."""
    if not isinstance(text, str):
        text = "".join(text)
    if "\r" in text:  # the line ends a file opened with newline="" splits on
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    repairs = _Repairs(source, strict)
    reader = csv.reader((line + "\n" for line in lines), delimiter=";", skipinitialspace=True)
    sections = _Sections(reader, source, repairs)
    collecting = gc.isenabled()
    gc.disable()  # nothing here is cyclic; collections during the row lists cost ~30%
    try:
        meta, meta_lines = _read_meta(sections)
        instance = _read_projects(sections, meta, meta_lines)
        profile = _read_votes(sections, instance, lines, meta_lines)
    finally:
        if collecting:
            gc.enable()
    repairs.report(on_warning)
    return instance, profile


class _Repairs:
    """Repairs by kind: the first line and message of each kind and how often it occurred."""

    def __init__(self, source: str, strict: bool):
        self.source = source
        self.strict = strict
        self.kinds: dict[str, list] = {}

    def note(self, kind: str, line: int, problem: str, repair: str, count: int = 1) -> None:
        """``problem`` is the error text under ``strict``; ``repair`` says what we did."""
        if self.strict:
            raise PabulibError(self.source, line, problem)
        seen = self.kinds.get(kind)
        if seen is None:
            self.kinds[kind] = [line, f"{problem}; {repair}", count]
        else:
            if line < seen[0]:
                seen[0:2] = [line, f"{problem}; {repair}"]
            seen[2] += count

    def messages(self) -> list[str]:
        """One ``file:line: warning: ... (N times)`` line per kind, in line order."""
        return [
            f"{self.source}:{line}: warning: {text} ({count} time{'s' if count != 1 else ''})"
            for line, text, count in sorted(self.kinds.values(), key=lambda seen: seen[0])
        ]

    def report(self, on_warning: Callable[[str], None] | None) -> None:
        for message in self.messages():
            if on_warning is None:
                warnings.warn(message, PabulibWarning, stacklevel=4)
            else:
                on_warning(message)


def _is_section(row: list[str]) -> bool:
    """A section line: its name, then nothing but empty fields (``VOTES;;`` as pabutools)."""
    return row[0].upper() in SECTIONS and not any(row[1:])


class _Sections:
    """Rows of META and PROJECTS grouped by section, with line numbers for error messages."""

    def __init__(self, reader, source: str, repairs: _Repairs):
        self.reader = reader
        self.source = source
        self.repairs = repairs
        self.pending: list[str] | None = None

    @property
    def line(self) -> int:
        return self.reader.line_num

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
        if not _is_section(row) or row[0].upper() != name:
            self.fail(f"expected section {name}, found {';'.join(row)[:60]!r}")
        header = self._next_row()
        if header is None or _is_section(header):
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
            if _is_section(row):
                self.pending = row
                return
            yield row


def _read_meta(sections: _Sections) -> tuple[dict[str, str], dict[str, int]]:
    """META as a dict, and the line of each key."""
    header = sections.start("META")
    if header[:2] != ["key", "value"]:
        sections.fail(f"META header must be 'key;value', found {';'.join(header)!r}")
    meta: dict[str, str] = {}
    lines: dict[str, int] = {}
    repairs = sections.repairs
    for row in sections.rows():
        while len(row) > 2 and not row[-1]:
            row.pop()  # trailing empty fields ("budget;100;")
        if len(row) < 2:
            sections.fail(f"META rows have 2 fields (key;value), found {len(row)}")
        if len(row) > 2:
            repairs.note("meta-width", sections.line,
                         f"META rows have 2 fields (key;value), found {len(row)}",
                         "the extra fields are ignored")
        key, value = row[0].lower(), row[1]
        if key in meta:
            repairs.note("meta-twice", sections.line, f"META key {key!r} appears twice",
                         "the last value counts")
        meta[key] = value
        lines[key] = sections.line
    for key in ("budget", "vote_type"):
        if key not in meta:
            sections.fail(f"META lacks the required key {key!r}")
    try:
        budget = exact_number(meta["budget"])
    except ValueError as exc:
        sections.fail(f"META budget: {exc}", lines["budget"])
    if budget < 0:
        sections.fail(f"META budget is negative: {meta['budget']}", lines["budget"])
    if meta["vote_type"].strip() not in VOTE_TYPES:
        sections.fail(
            f"unknown vote_type {meta['vote_type']!r} (expected one of {', '.join(VOTE_TYPES)})",
            lines["vote_type"],
        )
    return meta, lines


def _read_projects(sections: _Sections, meta: dict[str, str], meta_lines) -> Instance:
    header = sections.table("PROJECTS", required=("project_id", "cost"))
    id_at, cost_at = header.index("project_id"), header.index("cost")
    projects: dict[str, Project] = {}
    repairs = sections.repairs
    width = len(header)
    for row in sections.rows():
        if len(row) != width:
            if len(row) > width or max(id_at, cost_at) >= len(row):
                sections.fail(f"PROJECTS row has {len(row)} fields, the header has {width}")
            repairs.note("project-width", sections.line,
                         f"PROJECTS row has {len(row)} fields, the header has {width}",
                         "the missing fields are absent")
        pid = row[id_at]
        if not pid:
            sections.fail("empty project_id")
        try:
            cost = exact_number(row[cost_at])
        except ValueError as exc:
            sections.fail(f"project {pid}: cost {exc}")
        if cost < 0:
            sections.fail(f"project {pid}: negative cost {row[cost_at]}")
        if pid in projects:
            repairs.note("project-twice", sections.line, f"duplicate project_id {pid!r}",
                         "the first row counts")
            continue
        extra = {
            name: value
            for name, value in zip(header, row, strict=False)
            if name not in ("project_id", "cost") and value.lower() != ABSENT
        }
        projects[pid] = Project(pid, cost, extra)
    _check_count(sections, meta, meta_lines, "num_projects", len(projects))
    return Instance(meta=meta, projects=tuple(projects.values()), project_columns=tuple(header))


def _check_count(sections: _Sections, meta, meta_lines, key: str, found: int) -> None:
    stated = meta.get(key, "").strip()
    if stated and stated != str(found):
        sections.repairs.note(
            f"count-{key}", meta_lines[key],
            f"META {key} is {stated} but the section has {found} rows", "the rows count")


def _read_votes(sections: _Sections, instance: Instance, lines: list[str], meta_lines) -> Profile:
    header = sections.table("VOTES", required=("voter_id", "vote"))
    vote_type = instance.vote_type
    with_points = vote_type in ("cumulative", "scoring")
    if with_points and "points" not in header:
        sections.fail(f"{vote_type} VOTES need a 'points' column")
    columns, line_at = _vote_columns(sections, lines, len(header))
    named = dict(zip(header, columns, strict=True))
    voter_ids = tuple(named["voter_id"])
    votes = named["vote"]
    texts = list(zip(votes, named["points"], strict=True)) if with_points else votes
    repairs = sections.repairs
    first_row: dict = {}  # text -> its first row, built on the first problem
    counts: Counter = Counter()

    def where(text) -> tuple[int, str]:
        if not first_row:
            first_row.update(zip(reversed(texts), range(len(texts) - 1, -1, -1), strict=True))
        i = first_row[text]
        return line_at(i), voter_ids[i]

    def times(text) -> int:
        if not counts:
            counts.update(texts)
        return counts[text]

    distinct_texts = list(dict.fromkeys(texts))
    ballots = None if with_points else _plain_ballots(distinct_texts, instance)
    if ballots is not None:  # distinct texts, no repair: distinct ballots
        distinct = tuple(zip(ballots, repeat(None)))
        index_of_text = dict(zip(distinct_texts, range(len(distinct_texts)), strict=True))
    else:
        parse = _VoteParser(instance, sections.source, repairs, where, times)
        index_of_ballot: dict[tuple, int] = {}
        index_of_text = {
            text: index_of_ballot.setdefault(parse(text), len(index_of_ballot))
            for text in distinct_texts
        }
        distinct = tuple(index_of_ballot)
    ballot_index = tuple(map(index_of_text.__getitem__, texts))

    if len(set(voter_ids)) != len(voter_ids):
        seen: set[str] = set()
        repeated = [i for i, v in enumerate(voter_ids) if v in seen or seen.add(v)]
        repairs.note("voter-twice", line_at(repeated[0]),
                     f"duplicate voter_id {voter_ids[repeated[0]]!r}", "every ballot counts",
                     len(repeated))
    _check_count(sections, dict(instance.meta), meta_lines, "num_votes", len(voter_ids))
    extra = []
    for name, column in named.items():
        if name in ("voter_id", "vote") or (with_points and name == "points"):
            continue
        nones = {value for value in set(column) if value.lower() == ABSENT}
        if nones:
            column = ["" if value in nones else value for value in column]
        extra.append((name, tuple(column)))
    return Profile(
        vote_columns=tuple(header),
        voter_ids=voter_ids,
        distinct=distinct,
        ballot_index=ballot_index,
        extra=tuple(extra),
    )


def _vote_columns(sections: _Sections, lines: list[str], width: int):
    """The VOTES rows after the header as ``width`` stripped columns, and the line of row i.

    The fast path: no quote and every line has ``width`` fields, so the whole section is one
    ``str.split`` and each column a slice. Otherwise rows are split one by one (by the csv module
    if a field is quoted), blank lines dropped and short rows padded (a repair)."""
    header_line = sections.line
    rest = lines[header_line:]
    while rest and not rest[-1].strip():
        rest.pop()
    body = ";".join(rest)
    quoted = '"' in body
    if not quoted and rest and set(map(str.count, rest, repeat(";"))) == {width - 1}:
        flat = list(map(str.strip, body.split(";")))
        return [flat[j::width] for j in range(width)], lambda i: header_line + 1 + i
    if quoted:
        numbered = [(sections.line, row) for row in sections.reader]
    else:
        numbered = [(header_line + 1 + i, line.split(";")) for i, line in enumerate(rest)]
    rows = []
    line_of = []
    for line, row in numbered:
        if len(row) != width:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > width:
                sections.fail(f"VOTES row has {len(row)} fields, the header has {width}", line)
            sections.repairs.note("vote-width", line,
                                  f"VOTES row has {len(row)} fields, the header has {width}",
                                  "the missing fields are absent")
            row = row + [""] * (width - len(row))
        rows.append(row)
        line_of.append(line)
    if not rows:
        return [[] for _ in range(width)], line_of.__getitem__
    columns = [list(map(str.strip, column)) for column in zip(*rows, strict=True)]
    return columns, line_of.__getitem__


def _plain_ballots(texts: list[str], instance: Instance) -> list[tuple[str, ...]] | None:
    """Approval/ordinal ballots of distinct vote texts when none needs a repair or fails (every
    id known, none repeated within a vote; at most one for choose-1), else ``None``."""
    splits = [text.split(",") if text else [] for text in texts]
    if not set(chain.from_iterable(splits)).issubset(instance.project_by_id):
        return None
    lengths = list(map(len, splits))
    if lengths != list(map(len, map(set, splits))):
        return None
    if instance.vote_type == "choose-1" and max(lengths, default=0) > 1:
        return None
    return list(map(tuple, splits))


class _VoteParser:
    """Parses one distinct vote text (or (vote, points) pair) into a checked, repaired ballot."""

    def __init__(self, instance: Instance, source: str, repairs: _Repairs, where, times):
        self.known = instance.project_by_id
        self.vote_type = instance.vote_type
        self.with_points = self.vote_type in ("cumulative", "scoring")
        self.source = source
        self.repairs = repairs
        self.where = where
        self.times = times

    def fail(self, text, message: str):
        line, voter = self.where(text)
        raise PabulibError(self.source, line, f"voter {voter}: {message}")

    def repair(self, text, kind: str, problem: str, repair: str) -> None:
        line, voter = self.where(text)
        self.repairs.note(kind, line, f"voter {voter}: {problem}", repair, self.times(text))

    def __call__(self, text):
        vote, points_text = text if self.with_points else (text, "")
        if vote.lower() == ABSENT or (self.with_points and points_text.lower() == ABSENT):
            which = "vote" if vote.lower() == ABSENT else "points"
            self.repair(text, "none-vote", f"{which} is {ABSENT!r}", "read as an empty ballot")
            return (), (() if self.with_points else None)
        chosen = [pid.strip() for pid in vote.split(",")] if vote else []
        if "" in chosen:
            if self.with_points:
                self.fail(text, f"empty project id in vote {vote!r}")
            self.repair(text, "empty-id", f"empty project id in vote {vote!r}", "skipped")
            chosen = [pid for pid in chosen if pid]
        for pid in chosen:
            if pid not in self.known:
                self.fail(text, f"unknown project id {pid!r}")
        if self.vote_type == "choose-1" and len(chosen) > 1:
            self.repair(text, "choose-1", f"choose-1 vote {vote!r} lists {len(chosen)} projects",
                        "read as approval")
        if not self.with_points:
            unique = tuple(dict.fromkeys(chosen))
            if len(unique) != len(chosen):
                counted = "the first position counts" if self.vote_type == "ordinal" else (
                    "counted once")
                self.repair(text, "repeat", f"a project appears twice in vote {vote!r}", counted)
            return unique, None
        points = self._points(text, points_text, len(chosen))
        given = dict(zip(chosen, points, strict=True))
        if len(given) != len(chosen):
            self.repair(text, "repeat", f"a project appears twice in vote {vote!r}",
                        "the last points count")
        return tuple(given), tuple(given.values())

    def _points(self, text, points_text: str, length: int):
        parts = points_text.split(",") if points_text else []
        if len(parts) < length:
            self.fail(text, f"{length} project(s) but {len(parts)} point value(s)")
        if len(parts) > length:
            self.repair(text, "extra-points",
                        f"{length} project(s) but {len(parts)} point value(s)",
                        "the extra values are ignored")
            parts = parts[:length]
        try:
            points = tuple(exact_number(part) for part in parts)
        except ValueError as exc:
            self.fail(text, f"points {exc}")
        if any(value < 0 for value in points):
            self.fail(text, f"negative points {points_text!r}")
        return points


def write_pabulib(instance: Instance, profile: Profile, path: str | Path) -> None:
    """Write the election to ``path`` so that :func:`read_pabulib` gives it back unchanged."""
    Path(path).write_text(format_pabulib(instance, profile), encoding="utf-8")


def format_pabulib(instance: Instance, profile: Profile) -> str:
    """The ``.pb`` text of an election (quoted where needed, ``\\n`` line ends); a project
    column a project lacks is written ``none``."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows(instance.meta.items())
    writer.writerow(["PROJECTS"])
    writer.writerow(instance.project_columns)
    for project in instance.projects:
        cells = {"project_id": project.id, "cost": format_money(project.cost), **project.extra}
        writer.writerow([cells.get(name, ABSENT) for name in instance.project_columns])
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
