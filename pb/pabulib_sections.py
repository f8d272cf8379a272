"""Sections, errors and repairs of a pabulib ``.pb`` file (used by :mod:`pb.pabulib`).

The rows of META and PROJECTS grouped by section with their line numbers (:class:`Sections`), the
error every malformed file raises (:class:`PabulibError`, ``file:line: message``) and the
bookkeeping of repaired quirks (:class:`Repairs`: one ``file:line: warning: ... (N times)`` line
per kind, or the first one refused as an error under ``strict``). Pure: no Flask.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator

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


class Repairs:
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


def is_section(row: list[str]) -> bool:
    """A section line: its name, then nothing but empty fields (``VOTES;;`` as pabutools)."""
    return row[0].upper() in SECTIONS and not any(row[1:])


class Sections:
    """Rows of META and PROJECTS grouped by section, with line numbers for error messages."""

    def __init__(self, reader, source: str, repairs: Repairs):
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
        if not is_section(row) or row[0].upper() != name:
            self.fail(f"expected section {name}, found {';'.join(row)[:60]!r}")
        header = self._next_row()
        if header is None or is_section(header):
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
            if is_section(row):
                self.pending = row
                return
            yield row

def check_count(sections: Sections, meta, meta_lines, key: str, found: int) -> None:
    stated = meta.get(key, "").strip()
    if stated and stated != str(found):
        sections.repairs.note(
            f"count-{key}", meta_lines[key],
            f"META {key} is {stated} but the section has {found} rows", "the rows count")
