"""What one mutant costs `make mutate` besides the mutated code: mutmut forks its process
(which has already run the test selection once) and calls ``pytest.main`` with the tests
that reach the mutated function. This does the same with unmutated code and times it.

    .venv/bin/python bench/mutation_fork_cost.py [--plugin tests.mutation_plugin] [--repeat 3]

Prints the median wall and CPU seconds per fork for a few typical test sets. Run it from the
project root; compare plugins (or versions of one) on a quiet machine.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time

CASES = {
    "one pure test file (core identity)": ["tests/core/test_identity.py"],
    "petition lifecycle (pure)": ["tests/petitions/test_lifecycle.py"],
    "one petition web test": [
        "tests/petitions/test_signing.py::test_a_second_signature_by_the_same_person_is_told_it_already_signed"],
    "petition signing file (27 tests)": ["tests/petitions/test_signing.py"],
    "pb voting web file": ["tests/pb/test_voting_web.py"],
    "conversation moderation service": [
        "tests/deliberation/test_moderation_service_records_each_move.py"],
}


def pytest_args(plugin: str) -> list[str]:
    return ["--rootdir=.", "--tb=native", "-q", "-p", "no:cacheprovider", "-p", plugin,
            "-m", "not slow and not e2e", "-o", "timeout=60"]


def in_fork(tests: list[str], plugin: str) -> tuple[float, float, int]:
    import pytest

    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os._exit(int(pytest.main(["-x", "-q", "-p", "no:randomly", *tests, *pytest_args(plugin)])))
    _, status = os.waitpid(pid, 0)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return time.perf_counter() - started, cpu, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plugin", default="tests.mutation_plugin")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, os.getcwd())
    import pytest

    warm = sorted({test.split("::")[0] for tests in CASES.values() for test in tests})
    pytest.main(["-q", *warm, *pytest_args(args.plugin)])  # as mutmut's stats run
    print(f"plugin {args.plugin}, load average {os.getloadavg()[0]:.1f}")
    for name, tests in CASES.items():
        runs = [in_fork(tests, args.plugin) for _ in range(args.repeat)]
        codes = {code for *_, code in runs}
        print(f"{name:40s} wall {statistics.median(r[0] for r in runs):6.2f} s"
              f"  cpu {statistics.median(r[1] for r in runs):6.2f} s  exit {sorted(codes)}")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
