"""red-dwarf fixture folders (``votes.json``, ``comments.json``): JSON cells and comments,
read by :func:`deliberation.polis_io.read_fixture`."""
from __future__ import annotations

import json
from pathlib import Path

from deliberation.opendata_cells import _int, _read_text


def _json_int(value, *, where: str) -> int:
    """A JSON whole number (``3`` or ``3.0``); strings, booleans and fractions are refused."""
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if isinstance(value, bool) or not whole:
        raise ValueError(f"{where}: expected an integer, got {value!r}")
    return _int(repr(value), where=where)


def _json_list_of_objects(path: Path) -> list[dict]:
    try:
        data = json.loads(_read_text(path))
    except (OSError, json.JSONDecodeError) as err:
        raise ValueError(f"{path}: cannot read ({err})") from None
    if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
        raise ValueError(f"{path}: expected a JSON list of objects")
    return data


def _fixture_comments(path: Path) -> tuple[dict[int, str], set[int], set[int]]:
    """``comments.json`` → (texts by tid, mod-out tids, meta tids)."""
    texts, mod_out, meta = {}, set(), set()
    for n, c in enumerate(_json_list_of_objects(path)):
        where = f"{path}, comment {n}"
        tid = _json_int(c.get("tid", c.get("statement_id")), where=where)
        if tid in texts:
            raise ValueError(f"{path}: duplicate statement id {tid}")
        texts[tid] = c.get("txt", "")
        if c.get("is_meta"):
            meta.add(tid)
        if c.get("is_meta") or _json_int(c.get("mod", c.get("moderated", 0)), where=where) == -1:
            mod_out.add(tid)
    return texts, mod_out, meta
