"""What the mutants of a `make mutate` run cost, from the ``mutants/mutmut-cost.tsv`` that
tests/mutation_plugin.py writes (one line per mutant: name, CPU seconds of its process, tests
run, pytest's exit status).

    .venv/bin/python bench/mutation_cost.py [mutants/mutmut-cost.tsv] [--top 15]

Prints CPU seconds and tests run, in total and per outcome (killed: a test failed; survived:
all passed), and the functions whose mutants cost the most. Mutants stopped by mutmut's time
limit never reach the end of their session and are not in the file.
"""
from __future__ import annotations

import argparse
from collections import defaultdict

OUTCOME = {0: "survived", 1: "killed"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default="mutants/mutmut-cost.tsv")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    rows = []
    with open(args.path, encoding="utf-8") as lines:
        for line in lines:
            name, cpu, tests, status = line.rstrip("\n").split("\t")
            rows.append((name, float(cpu), int(tests), int(status)))
    by_outcome: dict[str, list] = defaultdict(list)
    by_function: dict[str, list] = defaultdict(list)
    for name, cpu, tests, status in rows:
        by_outcome[OUTCOME.get(status, f"exit {status}")].append((cpu, tests))
        by_function[name.partition("__mutmut_")[0]].append((cpu, tests, status))
    total = sum(cpu for _, cpu, _, _ in rows)
    print(f"{len(rows)} mutants, {total:.1f} CPU s, {total / max(len(rows), 1):.2f} CPU s each")
    for outcome, values in sorted(by_outcome.items()):
        cpu = sum(value[0] for value in values)
        tests = sum(value[1] for value in values)
        print(f"  {outcome:9s} {len(values):5d} mutants  {cpu:8.1f} CPU s"
              f"  ({cpu / len(values):.2f} each, {tests / len(values):.1f} tests each)")
    print(f"\nfunctions by CPU (top {args.top}): CPU s, mutants, killed, tests per killed mutant")
    ranked = sorted(by_function.items(), key=lambda item: -sum(v[0] for v in item[1]))
    for function, values in ranked[:args.top]:
        killed = [v for v in values if v[2] == 1]
        per_kill = sum(v[1] for v in killed) / len(killed) if killed else 0.0
        print(f"  {sum(v[0] for v in values):8.1f}  {len(values):4d}  {len(killed):4d}"
              f"  {per_kill:5.1f}  {function}")


if __name__ == "__main__":
    main()
