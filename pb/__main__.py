"""Engine CLI (no Flask): ``python -m pb outcome FILE --rule ...`` and ``python -m pb info FILE``.

``--json`` prints ``{"selected": [ids sorted as strings], "cost": "<exact total>", "seconds": t}``.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from collections import Counter

from pb.instance import format_money
from pb.pabulib import PabulibError, read_pabulib
from pb.rules_base import COMPLETIONS, RULE_NAMES, TIE_BREAKS, UTILITIES
from pb.single_choice import single_choice_mes


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter at the width ``shutil.get_terminal_size`` gives, without importing
    shutil: argparse builds a formatter for each argument added, and its own width lookup
    imports shutil (~2 ms of every start)."""

    def __init__(self, prog: str, **options):
        options.setdefault("width", _terminal_columns() - 2)
        super().__init__(prog, **options)


def _terminal_columns() -> int:
    """The width of the terminal on stdout, else 80 (``shutil.get_terminal_size`` without
    its ``$COLUMNS`` override)."""
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pb", description=__doc__.splitlines()[0],
                                     formatter_class=_HelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    outcome = commands.add_parser("outcome", help="compute an election outcome",
                                  formatter_class=_HelpFormatter)
    outcome.add_argument("file")
    outcome.add_argument("--rule", choices=RULE_NAMES, required=True)
    outcome.add_argument("--utility", choices=UTILITIES, default="cost", help="MES only")
    outcome.add_argument("--completion", choices=COMPLETIONS, default="none", help="MES only")
    outcome.add_argument("--tie-break", choices=TIE_BREAKS, default="lexico")
    outcome.add_argument("--json", action="store_true")
    info = commands.add_parser("info", help="META summary and ballot statistics",
                               formatter_class=_HelpFormatter)
    info.add_argument("file")
    for command in (outcome, info):
        command.add_argument(
            "--strict", action="store_true",
            help="refuse the quirks pabutools tolerates (repeated projects in a vote, "
                 "'none' votes, counts that disagree with META, ...) instead of repairing them")
    return parser


def main(argv: list[str] | None = None, *, keep: list | None = None) -> int:
    """Run the CLI; ``keep``, if given, receives the election read (see the end of the file)."""
    args = _parser().parse_args(argv)
    try:
        instance, profile = read_pabulib(
            args.file, strict=args.strict, on_warning=lambda line: print(line, file=sys.stderr))
    except (OSError, PabulibError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if keep is not None:
        keep.append((instance, profile))
    if args.command == "info":
        _print_info(instance, profile)
        return 0
    options = {"tie_break": args.tie_break}
    if args.rule == "mes":
        options.update(utility=args.utility, completion=args.completion)
    start = time.perf_counter()
    try:
        outcome = single_choice_mes(instance, profile, **options) if args.rule == "mes" else None
        if outcome is None:  # numpy, imported only here: single-choice MES starts without it
            from pb.rules import RULES

            outcome = RULES[args.rule](instance, profile, **options)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - start
    if args.json:
        selected = ", ".join(map(_json_string, outcome.selected_sorted))
        print(f'{{"selected": [{selected}], "cost": {_json_string(format_money(outcome.cost))}, '
              f'"seconds": {round(seconds, 6)!r}}}')
        return 0
    by_id = instance.project_by_id
    print(f"{args.rule} {' '.join(f'{k}={v}' for k, v in options.items())}")
    rho = outcome.explanation.get("rho", {})
    print(f"{'#':>3}  {'project':<12} {'cost':>14}  {'ρ (MES)':>12}  name")
    for k, pid in enumerate(outcome.selected, 1):
        name = by_id[pid].extra.get("name", "")[:50]
        price = f"{float(rho[pid]):.6g}" if pid in rho else ""
        print(f"{k:>3}  {pid:<12} {format_money(by_id[pid].cost):>14}  {price:>12}  {name}")
    covered = outcome.explanation["covered_share"]
    print(f"total {format_money(outcome.cost)} of {format_money(instance.budget)}; "
          f"{float(covered):.1%} of voters have a funded project; {seconds:.3f} s")
    return 0


def _json_string(text: str) -> str:
    """``json.dumps(text)``; printable ASCII without quote or backslash (project ids, amounts)
    is written as it is, without importing json (~2 ms of a start)."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    import json

    return json.dumps(text)


def _print_info(instance, profile) -> None:
    width = max(map(len, instance.meta), default=0)
    for key, value in instance.meta.items():
        print(f"{key:<{width}}  {value[:100]}")
    lengths = Counter(len(profile.distinct[k][0]) for k in profile.ballot_index)
    voters = len(profile)
    print(f"\nprojects: {len(instance.projects)}, total cost {format_money(instance.total_cost)}"
          f" ({'fully funded' if instance.fully_funded else 'not fully funded'})")
    print(f"voters: {voters}, distinct ballots: {len(profile.distinct)}, "
          f"empty ballots: {lengths.get(0, 0)}")
    if voters:
        mean = sum(n * c for n, c in lengths.items()) / voters
        print(f"ballot length: mean {mean:.2f}, min {min(lengths)}, max {max(lengths)}")


if __name__ == "__main__":
    # One election read, one outcome, then the process ends: nothing cyclic is worth collecting,
    # and collections walking the 10^5-entry tuples of a large file cost milliseconds. At the
    # end, leave the ~10^5 objects of the election to the OS instead of freeing them one by one
    # (~12 ms on a 100k-voter file), and skip the interpreter teardown.
    gc.disable()
    election: list = []
    code = main(keep=election)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
