"""Writing pabulib ``.pb`` files that :func:`pb.pabulib.read_pabulib` reads back unchanged."""

from __future__ import annotations

import csv
import io
import os

from pb.instance import Instance, Profile, format_money
from pb.pabulib_sections import ABSENT


def write_pabulib(instance: Instance, profile: Profile, path: str | os.PathLike[str]) -> None:
    """Write the election to ``path`` so that :func:`read_pabulib` gives it back unchanged."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(format_pabulib(instance, profile))


def format_pabulib(instance: Instance, profile: Profile) -> str:
    """The ``.pb`` text of an election (quoted where needed, ``\\n`` line ends); a project
    column a project lacks is written ``none``."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows(instance.meta.items())
    writer.writerow(["PROJECTS"])
    writer.writerow(instance.project_columns)
    for project in instance.projects:
        cells = {"project_id": project.id, "cost": format_money(project.cost), **project.extra}
        writer.writerow([cells.get(name, ABSENT) for name in instance.project_columns])
    writer.writerow(["VOTES"])
    writer.writerow(profile.vote_columns)
    texts = [
        (",".join(projects), "" if points is None else ",".join(map(format_money, points)))
        for projects, points in profile.distinct
    ]
    extra = dict(profile.extra)
    for v, (voter, k) in enumerate(zip(profile.voter_ids, profile.ballot_index, strict=True)):
        cells = {"voter_id": voter, "vote": texts[k][0], "points": texts[k][1]}
        writer.writerow(
            [cells[name] if name in cells else extra[name][v] for name in profile.vote_columns]
        )
    return out.getvalue()
