"""Open data (docs/reliability.md §2e: no names, emails or IPs): every listed petition as
JSON or CSV, streamed by id, and one petition as CSV with its signatures by area.

The views pass in the app (its JSON provider, and an app context for the streamed body) and
the batch size; this module reads no request and no config.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from itertools import chain

from petitions import queries
from petitions.models import Petition

CSV_COLUMNS = ("id", "title", "scheme", "commitment", "state", "signature_count",
               "response_threshold", "debate_threshold", "opened_at", "closes_at",
               "response_threshold_reached_at", "response_due_at", "days_overdue",
               "response_state", "responded_at", "response_summary", "rejection_code",
               "debate_state", "debated_on", "debate_summary", "debate_transcript_url",
               "debate_video_url")


def csv_row(record: dict) -> list:
    """Flatten a public record into CSV_COLUMNS, neutralising spreadsheet formulas."""
    flat = {**record, "response_threshold": record["thresholds"]["response"],
            "debate_threshold": record["thresholds"]["debate"],
            "responded_at": (record["response"] or {}).get("responded_at"),
            "response_summary": (record["response"] or {}).get("summary"),
            **{f"debate_{key}": value for key, value in (record["debate"] or {}).items()
               if key in ("summary", "transcript_url", "video_url")},
            "debated_on": (record["debate"] or {}).get("date")}
    return [spreadsheet_safe(flat.get(column)) for column in CSV_COLUMNS]


def spreadsheet_safe(value):
    """Prefix ' to text starting with = + - @ tab or CR (CSV injection, §2b)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _records(*, now: datetime, batch: int) -> Iterator[dict]:
    """Public records of every petition in the public list (public schemes only), by id,
    read from the database in batches."""
    return (queries.public_record(p, now=now) for p in queries.all_listed(batch=batch))


def _streamed(app, chunks: Callable[[], Iterable[str]]) -> Iterator[str]:
    """A response body written while the database is read, so an export of any size is
    complete and never held in memory whole.

    `chunks()` runs after the view has returned, in an app context (and so a database
    session) of its own, entered only once the body is read: the test client takes a first
    chunk as it makes the request, and a context pushed then would still be open under the
    next request's."""
    def body():
        yield ""
        with app.app_context():
            yield from chunks()
    return body()


def csv_lines(rows: Iterable[list]) -> Iterator[str]:
    """Each row as one CSV line, written as it comes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def all_petitions_json(app, *, now: datetime, batch: int) -> Iterator[str]:
    """`{"petitions": [...]}`, every listed petition by id, streamed."""
    def chunks():
        yield '{"petitions": ['
        for i, record in enumerate(_records(now=now, batch=batch)):
            yield ("," if i else "") + app.json.dumps(record)
        yield "]}"
    return _streamed(app, chunks)


def all_petitions_csv(app, *, now: datetime, batch: int) -> Iterator[str]:
    """CSV_COLUMNS, then one line per listed petition by id, streamed."""
    return _streamed(app, lambda: csv_lines(chain(
        [CSV_COLUMNS], map(csv_row, _records(now=now, batch=batch)))))


def petition_csv(petition: Petition, *, now: datetime) -> Iterator[str]:
    """One petition as CSV, then its signatures by area."""
    record = queries.public_record(petition, now=now, with_areas=True)
    return csv_lines([CSV_COLUMNS, csv_row(record), [], ["area", "signatures"],
                      *([spreadsheet_safe(area), n]
                        for area, n in record["signatures_by_area"].items())])
