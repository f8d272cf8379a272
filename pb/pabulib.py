"""Read and write pabulib ``.pb`` files (docs/pb-rules.md §1).

A ``.pb`` file is ``;``-separated CSV in three sections, META, PROJECTS and VOTES, each a
section-name line, a header line and rows. META and PROJECTS are read with the csv module (quoted
fields may hold ``;``), their lines taken from the text only as the reader needs them; VOTES,
which is nearly all of a large file, is split with ``str.split`` in chunks of lines straight
from the text when it holds no quote and every row has the header's width (each distinct vote
text parsed once), and row by row otherwise (the csv module if a field is quoted). Both paths
give the same election and the same messages (tests/pb/test_pabulib_fast_path.py).

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

This module reads META and PROJECTS; :mod:`pb.pabulib_votes` reads VOTES,
:mod:`pb.pabulib_sections` holds the sections, :class:`PabulibError` and the repair bookkeeping,
:mod:`pb.pabulib_writer` writes files. Everything public is importable from here.
"""

from __future__ import annotations

import csv
import gc
import os
from collections.abc import Callable, Iterable

from pb.instance import VOTE_TYPES, Instance, Profile, Project, exact_number
from pb.pabulib_sections import (
    ABSENT,
    SECTIONS,
    PabulibError,
    PabulibWarning,
    Repairs,
    Sections,
    check_count,
)
from pb.pabulib_votes import read_votes
from pb.pabulib_writer import format_pabulib, write_pabulib

__all__ = [
    "ABSENT",
    "SECTIONS",
    "PabulibError",
    "PabulibWarning",
    "format_pabulib",
    "parse_pabulib",
    "read_pabulib",
    "write_pabulib",
]


def read_pabulib(
    path: str | os.PathLike[str],
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
    path = os.fspath(path)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        text = handle.read()
    return parse_pabulib(text, source=os.path.basename(path), strict=strict,
                         on_warning=on_warning)


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
    lines = _Lines(text)
    repairs = Repairs(source, strict)
    reader = csv.reader(lines, delimiter=";", skipinitialspace=True)
    sections = Sections(reader, source, repairs)
    collecting = gc.isenabled()
    gc.disable()  # nothing here is cyclic; collections during the row lists cost ~30%
    try:
        meta, meta_lines = _read_meta(sections)
        instance = _read_projects(sections, meta, meta_lines)
        profile = read_votes(sections, instance, lines.rest, meta_lines)
    finally:
        if collecting:
            gc.enable()
    repairs.report(on_warning)
    return instance, profile


class _Lines:
    """The lines of ``text``, each ending in ``\\n``, for the csv reader; ``offset`` is where
    the rest of the text starts (the csv reader takes lines only as it needs them, so after the
    VOTES header it is the start of the VOTES rows, which are split at once, not line by line).
    """

    def __init__(self, text: str):
        self.text = text
        self.offset = 0

    def __iter__(self):
        return self

    def rest(self) -> tuple[str, int, int]:
        """``(text, start, end)``: the text after the lines taken so far is
        ``text[start:end]``, up to the end of its last line that is not blank (whitespace only);
        a range, not a copy (a large file's VOTES are split in chunks straight from it)."""
        text, start, end = self.text, self.offset, len(self.text)
        while end > start and text[end - 1].isspace():
            end -= 1  # usually one line end
        if end > start:
            line_end = text.find("\n", end)
            end = len(text) if line_end < 0 else line_end
        return text, min(start, end), end

    def __next__(self) -> str:
        start = self.offset
        if start > len(self.text):
            raise StopIteration
        end = self.text.find("\n", start)
        if end < 0:  # the last line, with or without its own line end (as text.split gives)
            self.offset = len(self.text) + 1
            return self.text[start:] + "\n"
        self.offset = end + 1
        return self.text[start:end + 1]


def _read_meta(sections: Sections) -> tuple[dict[str, str], dict[str, int]]:
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


def _read_projects(sections: Sections, meta: dict[str, str], meta_lines) -> Instance:
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
    check_count(sections, meta, meta_lines, "num_projects", len(projects))
    return Instance(meta=meta, projects=tuple(projects.values()), project_columns=tuple(header))
