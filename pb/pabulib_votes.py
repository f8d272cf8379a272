"""The VOTES section of a pabulib ``.pb`` file, into a :class:`~pb.instance.Profile`.

VOTES is nearly all of a large file. It is split with ``str.split``, a chunk of lines at a time,
when it holds no quote and every row has the header's width (each distinct vote text parsed
once), and row by row otherwise (the csv module if a field is quoted); both paths give the same
election and the same messages. On the fast path only the voter ids and the votes (and points)
are kept at once; the voter metadata columns (ages, districts, ... : most of a large file,
never read by an outcome) are split again from the text when first asked for
(:class:`~pb.instance.VoterColumns`). The repairs of votes (a project repeated in
a vote, empty ids, ``none`` votes, extra points, ``choose-1`` votes listing several projects,
voter ids given twice) are described in :mod:`pb.pabulib`. Pure: no Flask.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from itertools import chain, repeat

from pb.instance import Instance, Profile, VoterColumns, exact_number
from pb.pabulib_sections import ABSENT, PabulibError, Repairs, Sections, check_count


def read_votes(sections: Sections, instance: Instance,
               rest: Callable[[], tuple[str, int, int]], meta_lines) -> Profile:
    """The VOTES section; ``rest()`` gives ``(text, start, end)``, where ``text[start:end]``
    is the text after the lines the csv reader has taken (after :meth:`Sections.table`, the
    VOTES rows), without its trailing blank lines."""
    header = sections.table("VOTES", required=("voter_id", "vote"))
    vote_type = instance.vote_type
    with_points = vote_type in ("cumulative", "scoring")
    if with_points and "points" not in header:
        sections.fail(f"{vote_type} VOTES need a 'points' column")
    used = ("voter_id", "vote", *(("points",) if with_points else ()))
    position = {name: j for j, name in enumerate(header)}  # a repeated name: its last column
    column, line_at = _vote_columns(sections, *rest(), len(header),
                                    needed=[position[name] for name in used])
    named = {name: column(position[name]) for name in used}
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
    check_count(sections, dict(instance.meta), meta_lines, "num_votes", len(voter_ids))
    metadata = [(name, j) for name, j in position.items() if name not in used]

    def load_metadata() -> tuple[tuple[str, tuple[str, ...]], ...]:
        extra = []
        for name, j in metadata:
            values = column(j)
            nones = {value for value in set(values) if value.lower() == ABSENT}
            if nones:
                values = ["" if value in nones else value for value in values]
            extra.append((name, tuple(values)))
        return tuple(extra)

    return Profile(
        vote_columns=tuple(header),
        voter_ids=voter_ids,
        distinct=distinct,
        ballot_index=ballot_index,
        extra=VoterColumns(load_metadata) if metadata else (),
    )


def _vote_columns(sections: Sections, text: str, start: int, end: int, width: int, *,
                  needed: list[int]):
    """The VOTES rows after the header by column: ``column(j)`` gives column j (stripped), and
    ``line_at(i)`` the line of row i. ``text[start:end]`` is the text after the header line,
    without trailing blank lines.

    The fast path: no quote and every line has ``width`` fields, so each chunk of lines is one
    ``str.split`` and each column a slice (:func:`_split_columns`); only the ``needed`` columns
    are kept, the others are split again from the text when asked for (voter metadata: the
    outcome never asks).
    Otherwise rows are split one by one (by the csv module if a field is quoted), blank lines
    dropped and short rows padded (a repair)."""
    header_line = sections.line
    kept = _split_columns(text, start, end, width, needed)
    if kept is not None:

        def fast_column(j: int) -> list[str]:
            return kept[j] if j in kept else _split_columns(text, start, end, width, [j])[j]

        return fast_column, lambda i: header_line + 1 + i
    body = text[start:end]
    rest = body.split("\n") if body else []
    quoted = '"' in body
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
        return (lambda j: []), line_of.__getitem__
    columns = [list(map(str.strip, column)) for column in zip(*rows, strict=True)]
    return columns.__getitem__, line_of.__getitem__


_CHUNK = 1 << 16
"""Characters of VOTES split at once: the fields of a chunk reuse the memory the last chunk's
fields freed, where one split of a whole 100k-row section would take ~40 MB of new memory
(page faults: milliseconds of system time)."""


def _split_columns(text: str, start: int, end: int, width: int,
                   keep) -> dict[int, list[str]] | None:
    """Columns ``keep`` of the lines of ``text[start:end]`` if every line has ``width``
    fields and none holds a quote, else ``None``; a column is stripped only if one of its
    fields is padded (most files: none).

    Each chunk of whole lines is split once, with each line end made a field of its own
    (``;\\n;``): its lines all have ``width`` fields exactly when the list is
    (``width`` + 1)·lines − 1 long and holds a line end at every (``width`` + 1)-th place, so
    the row width is checked without a pass per line."""
    if start >= end or text.find('"', start, end) >= 0:
        return None
    stride = width + 1
    chosen: dict[int, list[str]] = {j: [] for j in keep}
    while start < end:
        stop = text.find("\n", min(start + _CHUNK, end), end)
        stop = end if stop < 0 else stop
        chunk = text[start:stop]
        fields = chunk.replace("\n", ";\n;")
        lines = (len(fields) - len(chunk)) // 2 + 1  # each line end grew by 2
        flat = fields.split(";")
        if len(flat) != stride * lines - 1 or flat[width::stride].count("\n") != lines - 1:
            return None
        for j, values in chosen.items():
            values += flat[j::stride]
        start = stop + 1
    return {j: list(map(str.strip, values)) if _padded(";".join(values)) else values
            for j, values in chosen.items()}


# Every character str.strip() removes (str.isspace), the ASCII ones first; "\n" and "\r" end
# lines before this.
_SPACES = ("\t\x0b\x0c\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
           "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def _padded(body: str) -> bool:
    """Whether some field of ``body`` (fields joined by ``;``) starts or ends with whitespace,
    i.e. whether stripping would change a field (cheaper than stripping them all)."""
    if body[:1].isspace() or body[-1:].isspace():
        return True
    spaces = _SPACES[:8] if body.isascii() else _SPACES  # isascii: O(1), no scan
    return any(f";{space}" in body or f"{space};" in body for space in spaces if space in body)


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

    def __init__(self, instance: Instance, source: str, repairs: Repairs, where, times):
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
