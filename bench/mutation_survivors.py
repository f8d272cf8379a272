"""List `make mutate`'s survivors grouped by function, each with its one-line change and a
kind (a first sort for the reader of bench/RESULTS-mutation.md, not a verdict).

    .venv/bin/python bench/mutation_survivors.py > bench/mutation-survivors.md

Each survivor is joined with its verdict in bench/mutation-verdicts/<module>.md (rows
`| function | original | mutant | verdict |`, verdict `killed: tests/...` or
`equivalent: reason`); the summary counts what is still unexplained.

Run from the project root after `make mutate` (reads mutants/, as `mutmut results` does).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

from mutmut.__main__ import walk_mutatable_files
from mutmut.mutation.data import SourceFileMutationData
from mutmut.mutation.diff_apply import get_diff_for_mutant
from mutmut.stats import status_by_exit_code

VERDICTS = Path(__file__).with_name("mutation-verdicts")
EQUIVALENT_SYNC = ("equivalent: only whether loaded objects are refreshed in place; every reader "
                   "re-reads the row (bench/RESULTS-mutation.md)")
LABELS = {"equivalent": "equivalent (reason in the row)",
          "killed": "said killed by a test, yet survived this run (a test written after it, or a "
                    "selection gap to fix)",
          "unexplained": "unexplained"}

KINDS = [  # (kind, test on the removed and added lines), first match wins
    ("execution_options / synchronize_session (loaded objects refreshed or not)",
     lambda old, new: "execution_options" in old + new or "NO_SYNC" in old + new),
    ("audit entry field (actor, action, target, time or detail)",
     lambda old, new: "audit.record" in old + new or old.strip().startswith(("now=", "reason="))
     and "audit" in old),
    ("text of a message, email or exception",
     lambda old, new: bool(re.search(r'"XX|XX"|(?<![\w.])_\(None\)', new))
     or (old.lower() == new.lower() and old != new)),
    ("exception argument", lambda old, new: "Error(None" in new or "super().__init__" in new
     or "Found(None" in new or "Allowed(None" in new),
    ("boundary (< <= > >= or a constant ±1)", lambda old, new: _boundary(old, new)),
]


def _boundary(old: str, new: str) -> bool:
    swaps = [("<=", "<"), (">=", ">"), ("<", "<="), (">", ">=")]
    if any(a in old and b in new and old.replace(a, b, 1) == new for a, b in swaps):
        return True
    numbers_old, numbers_new = re.findall(r"\d+", old), re.findall(r"\d+", new)
    return len(numbers_old) == len(numbers_new) and numbers_old != numbers_new and \
        re.sub(r"\d+", "N", old) == re.sub(r"\d+", "N", new)


def change(diff: str) -> tuple[str, str]:
    removed = [line[1:].strip() for line in diff.splitlines()
               if line.startswith("-") and not line.startswith("---")]
    added = [line[1:].strip() for line in diff.splitlines()
             if line.startswith("+") and not line.startswith("+++")]
    return " / ".join(removed), " / ".join(added)


def kind_of(old: str, new: str) -> str:
    for kind, test in KINDS:
        if test(old, new):
            return kind
    return "logic (to read)"


def cell(text: str) -> str:
    """A table cell as both this file and the verdict files write it."""
    return "`" + text.replace("|", "\\|").replace("`", "'")[:110] + "`"


def key(function: str, original: str, mutant: str) -> tuple[str, str, str]:
    """What a verdict is joined on: the function's own name (not its module: functions moved
    between modules keep their verdicts) and the two cells."""
    return function.rpartition(".")[2].removeprefix("x").lstrip("_ǁ"), original, mutant


def verdicts(folder: Path = VERDICTS) -> dict[tuple[str, str, str], str]:
    """Every row of bench/mutation-verdicts/*.md: `| function | original | mutant | verdict |`."""
    found = {}
    for path in sorted(folder.glob("*.md")):
        for line in path.read_text(encoding="utf-8").splitlines():
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            if len(cells) == 4 and cells[0].startswith("`"):
                found[key(cells[0].strip("`"), cells[1], cells[2])] = cells[3]
    return found


def verdict_of(function: str, old: str, new: str, kind: str, known: dict) -> str:
    if kind.startswith("execution_options"):
        return EQUIVALENT_SYNC
    return known.get(key(function, cell(old), cell(new)), "")


def main() -> None:
    known = verdicts()
    by_function: dict[str, list[tuple[str, str, str, str, str]]] = defaultdict(list)
    statuses: Counter = Counter()
    for path in walk_mutatable_files():
        data = SourceFileMutationData(path=path)
        data.load()
        for name, code in data.exit_code_by_key.items():
            status = status_by_exit_code[code]
            statuses[status] += 1
            if status != "survived":
                continue
            old, new = change(get_diff_for_mutant(name, path=path))
            function, _, number = name.rpartition("__mutmut_")
            kind = kind_of(old, new)
            by_function[function].append(
                (number, old, new, kind, verdict_of(function, old, new, kind, known)))
    rows = [row for found in by_function.values() for row in found]
    print("# Survivors of `make mutate` (generated by bench/mutation_survivors.py)\n")
    print("Status counts: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())) + "\n")
    print("| kind | survivors |\n|---|---|")
    for kind, n in Counter(row[3] for row in rows).most_common():
        print(f"| {kind} | {n} |")
    explained = Counter(row[4].split(":")[0].split(" ")[0] or "unexplained" for row in rows)
    print("\n| verdict (bench/mutation-verdicts/) | survivors |\n|---|---|")
    for verdict in ("equivalent", "killed", "unexplained"):
        print(f"| {LABELS[verdict]} | {explained[verdict]} |")
    for function in sorted(by_function):
        found = sorted(by_function[function], key=lambda r: int(r[0]))
        print(f"\n## `{function}` ({len(found)})\n")
        print("| # | kind | original | mutant | verdict |\n|---|---|---|---|---|")
        for number, old, new, kind, verdict in found:
            print(f"| {number} | {kind} | {cell(old)} | {cell(new)} | {verdict or 'unexplained'} |")


if __name__ == "__main__":
    main()
