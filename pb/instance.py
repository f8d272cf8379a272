"""Typed model of a participatory-budgeting election and ballot validation.

An election is an :class:`Instance` (projects, budget, vote type, ballot constraints, META)
and a :class:`Profile` (the ballots). Money is exact: integer costs in the smallest currency
unit, :class:`fractions.Fraction` only where a file gives a fractional amount
(docs/pb-rules.md §1). Pure: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from functools import cached_property

Money = int | Fraction
"""An exact amount: ``int`` when integral, otherwise ``Fraction``."""

VOTE_TYPES = ("approval", "choose-1", "ordinal", "cumulative", "scoring")
"""Vote types of the pabulib format; ``choose-1`` is treated as approval (§1)."""


class BallotError(ValueError):
    """A ballot breaks the election's constraints; ``messages`` lists every problem."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def exact_number(text: str) -> Money:
    """Parse an int or decimal (``.`` or ``,`` separator) exactly.

    >>> exact_number("12,50")
    Fraction(25, 2)
    """
    cleaned = text.strip().replace(",", ".")
    if not cleaned:
        raise ValueError("empty number")
    try:
        value = Fraction(cleaned)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"not a number: {text!r}") from None
    return int(value) if value.denominator == 1 else value


def format_money(value: Money) -> str:
    """Exact decimal text for ``value`` (``"1000"``, ``"12.5"``), or ``"p/q"`` if not decimal."""
    if isinstance(value, int) or value.denominator == 1:
        return str(int(value))
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator != 1:
        return f"{value.numerator}/{value.denominator}"
    digits = 0
    scaled = value
    while scaled.denominator != 1:
        scaled *= 10
        digits += 1
    sign = "-" if scaled < 0 else ""
    text = str(abs(int(scaled))).rjust(digits + 1, "0")
    return f"{sign}{text[:-digits]}.{text[-digits:]}"


class Frozen:
    """What ``@dataclass(frozen=True)`` gives the value types of an election, ``__init__``
    aside: equality, hash and repr over the fields named in ``_fields``, and no assignment after
    ``__init__`` (which sets them with ``object.__setattr__``).

    Written out because the dataclasses module costs ~10 ms of every ``python -m pb`` start
    (it imports inspect, and compiles each class's methods when the module is imported), a
    tenth of the whole command on a 100k-voter file."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self._fields)

    def __eq__(self, other) -> bool:
        if other.__class__ is self.__class__:
            return self._values() == other._values()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__qualname__}({values})"

    def __setattr__(self, name: str, value) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")


class Project(Frozen):
    """One project: a string id, an exact cost and the other PROJECTS columns as text."""

    __slots__ = _fields = ("id", "cost", "extra")

    def __init__(self, id: str, cost: Money, extra: Mapping[str, str] | None = None):
        set_field = object.__setattr__
        set_field(self, "id", id)
        set_field(self, "cost", cost)
        set_field(self, "extra", {} if extra is None else extra)


class Ballot(Frozen):
    """One voter's ballot (docs/pb-rules.md §1, VOTES).

    ``projects`` keeps the file order (most preferred first for ordinal ballots);
    ``points`` is parallel to it for cumulative/scoring ballots and ``None`` otherwise;
    ``extra`` holds the voter metadata columns (age, sex, ...).
    """

    __slots__ = _fields = ("voter_id", "projects", "points", "extra")

    def __init__(self, voter_id: str, projects: tuple[str, ...],
                 points: tuple[Money, ...] | None = None,
                 extra: Mapping[str, str] | None = None):
        set_field = object.__setattr__
        set_field(self, "voter_id", voter_id)
        set_field(self, "projects", projects)
        set_field(self, "points", points)
        set_field(self, "extra", {} if extra is None else extra)


class BallotConstraints(Frozen):
    """Ballot limits from META; ``None`` means no limit (validation only, §1)."""

    __slots__ = _fields = ("min_length", "max_length", "min_sum_cost", "max_sum_cost",
                           "min_points", "max_points", "min_sum_points", "max_sum_points",
                           "default_score")

    def __init__(self, min_length: int | None = None, max_length: int | None = None,
                 min_sum_cost: Money | None = None, max_sum_cost: Money | None = None,
                 min_points: Money | None = None, max_points: Money | None = None,
                 min_sum_points: Money | None = None, max_sum_points: Money | None = None,
                 default_score: Money = 0):
        values = locals()
        for name in self._fields:
            object.__setattr__(self, name, values[name])

    @classmethod
    def from_meta(cls, meta: Mapping[str, str]) -> BallotConstraints:
        """Read the constraint keys of a META section (unknown keys are ignored)."""
        values: dict[str, Money] = {}
        for name in cls.__slots__:
            text = meta.get(name, "").strip()
            if text:
                values[name] = exact_number(text)
        return cls(**values)


class Instance(Frozen):
    """The election without its ballots: META, projects (file order), budget, vote type.

    Parameters
    ----------
    meta : mapping of META keys to their text values, in file order.
    projects : the projects, in file order; ids are unique strings.
    project_columns : PROJECTS header (kept so a written file has the same columns).
    """

    _fields = ("meta", "projects", "project_columns")

    def __init__(self, meta: Mapping[str, str], projects: tuple[Project, ...],
                 project_columns: tuple[str, ...] = ("project_id", "cost")):
        set_field = object.__setattr__
        set_field(self, "meta", meta)
        set_field(self, "projects", projects)
        set_field(self, "project_columns", project_columns)

    @cached_property
    def budget(self) -> Money:
        """The budget limit B (META ``budget``)."""
        return exact_number(self.meta["budget"])

    @cached_property
    def vote_type(self) -> str:
        """One of :data:`VOTE_TYPES` (META ``vote_type``)."""
        return self.meta["vote_type"].strip()

    @cached_property
    def constraints(self) -> BallotConstraints:
        """The ballot constraints stated in META."""
        return BallotConstraints.from_meta(self.meta)

    @cached_property
    def project_by_id(self) -> dict[str, Project]:
        """Projects keyed by id."""
        return {project.id: project for project in self.projects}

    @cached_property
    def total_cost(self) -> Money:
        """Cost of all projects together."""
        return sum((project.cost for project in self.projects), 0)

    @property
    def fully_funded(self) -> bool:
        """True when every project fits in the budget together (§3.5)."""
        return self.total_cost <= self.budget


class Profile(Frozen):
    """The ballots of an election, stored as distinct ballots plus one index per voter.

    Identical ballots are stored once (pabulib files repeat them a lot), which is what the
    rules need anyway ("multiprofile", docs/pb-rules.md §3.7). ``distinct[k]`` is a pair
    (project ids in file order, points or ``None``); voter ``v`` cast ``distinct[ballot_index[v]]``.
    ``extra`` holds the voter metadata columns as (name, values) pairs (a tuple, or
    :class:`VoterColumns`, which a reader fills on first use). Build one from
    :class:`Ballot` objects with :meth:`from_ballots`; :attr:`ballots` gives them back.
    """

    _fields = ("vote_columns", "voter_ids", "distinct", "ballot_index", "extra")

    def __init__(self, vote_columns: tuple[str, ...], voter_ids: tuple[str, ...],
                 distinct: tuple[tuple[tuple[str, ...], tuple[Money, ...] | None], ...],
                 ballot_index: tuple[int, ...],
                 extra: Sequence[tuple[str, tuple[str, ...]]] = ()):
        set_field = object.__setattr__
        set_field(self, "vote_columns", vote_columns)
        set_field(self, "voter_ids", voter_ids)
        set_field(self, "distinct", distinct)
        set_field(self, "ballot_index", ballot_index)
        set_field(self, "extra", extra)

    def __len__(self) -> int:
        return len(self.voter_ids)

    @classmethod
    def from_ballots(
        cls, ballots: list[Ballot] | tuple[Ballot, ...], *, vote_columns: tuple[str, ...] = ()
    ) -> Profile:
        """Group ``ballots`` (in order) into a profile; columns default to what they use."""
        lookup: dict[tuple, int] = {}
        index = []
        for ballot in ballots:
            key = (tuple(ballot.projects), None if ballot.points is None else tuple(ballot.points))
            index.append(lookup.setdefault(key, len(lookup)))
        names = sorted({name for ballot in ballots for name in ballot.extra})
        if not vote_columns:
            with_points = any(ballot.points is not None for ballot in ballots)
            vote_columns = ("voter_id", "vote", *(("points",) if with_points else ()), *names)
        extra = tuple(
            (name, tuple(ballot.extra.get(name, "") for ballot in ballots))
            for name in vote_columns
            if name not in ("voter_id", "vote", "points")
        )
        return cls(
            vote_columns=tuple(vote_columns),
            voter_ids=tuple(ballot.voter_id for ballot in ballots),
            distinct=tuple(lookup),
            ballot_index=tuple(index),
            extra=extra,
        )

    @cached_property
    def ballots(self) -> tuple[Ballot, ...]:
        """One :class:`Ballot` per voter, in file order (built on first use)."""
        names = [name for name, _ in self.extra]
        columns = [values for _, values in self.extra]
        return tuple(
            Ballot(voter, *self.distinct[k], dict(zip(names, [c[v] for c in columns], strict=True)))
            for v, (voter, k) in enumerate(zip(self.voter_ids, self.ballot_index, strict=True))
        )


class VoterColumns(Sequence):
    """Voter metadata columns, (name, values) pairs, built by ``load`` on first use.

    Outcomes never read them (ages, districts, ... of 100k voters are most of a large file);
    exports and results pages do. Equal to the tuple of the same pairs."""

    def __init__(self, load: Callable[[], tuple[tuple[str, tuple[str, ...]], ...]]):
        self._load: Callable | None = load
        self._columns: tuple = ()

    def _values(self) -> tuple:
        if self._load is not None:
            self._columns = tuple(self._load())
            self._load = None
        return self._columns

    def __getitem__(self, index):
        return self._values()[index]

    def __len__(self) -> int:
        return len(self._values())

    def __eq__(self, other) -> bool:
        if isinstance(other, VoterColumns | tuple | list):
            return self._values() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return f"VoterColumns({self._values()!r})"


def validate_ballot(instance: Instance, ballot: Ballot) -> list[str]:
    """Every way ``ballot`` breaks the constraints of ``instance`` (empty list: valid).

    Checks unknown and repeated projects, ``min/max_length``, ``min/max_sum_cost`` (approval),
    ``min/max_points`` and ``min/max_sum_points`` (cumulative/scoring), as in docs/pb-rules.md §1.
    This is what the web ballot form calls.

    >>> validate_ballot(instance, Ballot("v1", ("p1", "p1")))  # doctest: +SKIP
    ['project p1 appears more than once']
    """
    limits = instance.constraints
    messages: list[str] = []
    known = instance.project_by_id
    unknown = [pid for pid in ballot.projects if pid not in known]
    if unknown:
        messages.append(f"unknown project(s): {', '.join(unknown)}")
    repeated = sorted({pid for pid in ballot.projects if ballot.projects.count(pid) > 1})
    for pid in repeated:
        messages.append(f"project {pid} appears more than once")
    length = len(ballot.projects)
    if limits.min_length is not None and length < limits.min_length:
        messages.append(f"choose at least {limits.min_length} project(s), not {length}")
    if limits.max_length is not None and length > limits.max_length:
        messages.append(f"choose at most {limits.max_length} project(s), not {length}")
    if instance.vote_type in ("approval", "choose-1") and not unknown:
        spent = sum((known[pid].cost for pid in set(ballot.projects)), 0)
        if limits.max_sum_cost is not None and spent > limits.max_sum_cost:
            messages.append(
                f"the chosen projects cost {format_money(spent)}, "
                f"more than the limit {format_money(limits.max_sum_cost)}"
            )
        if limits.min_sum_cost is not None and spent < limits.min_sum_cost:
            messages.append(
                f"the chosen projects cost {format_money(spent)}, "
                f"less than the minimum {format_money(limits.min_sum_cost)}"
            )
    if instance.vote_type == "choose-1" and length > 1:
        messages.append(f"choose exactly one project, not {length}")
    if instance.vote_type in ("cumulative", "scoring"):
        messages.extend(_points_problems(limits, ballot))
    elif ballot.points is not None:
        messages.append(f"points are not used in {instance.vote_type} ballots")
    return messages


def _points_problems(limits: BallotConstraints, ballot: Ballot) -> list[str]:
    """Points checks of a cumulative/scoring ballot (assumes ids were checked)."""
    if ballot.points is None or len(ballot.points) != len(ballot.projects):
        return ["give exactly one number of points per chosen project"]
    messages = []
    for pid, points in zip(ballot.projects, ballot.points, strict=True):
        if limits.min_points is not None and points < limits.min_points:
            messages.append(f"project {pid}: at least {limits.min_points} point(s) per project")
        if limits.max_points is not None and points > limits.max_points:
            messages.append(f"project {pid}: at most {limits.max_points} point(s) per project")
    total = sum(ballot.points, 0)
    if limits.min_sum_points is not None and total < limits.min_sum_points:
        messages.append(f"give at least {limits.min_sum_points} point(s) in total, not {total}")
    if limits.max_sum_points is not None and total > limits.max_sum_points:
        messages.append(f"give at most {limits.max_sum_points} point(s) in total, not {total}")
    return messages


def check_ballot(instance: Instance, ballot: Ballot) -> None:
    """Raise :class:`BallotError` listing every problem (see :func:`validate_ballot`)."""
    messages = validate_ballot(instance, ballot)
    if messages:
        raise BallotError(messages)
