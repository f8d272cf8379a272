"""Which requests the authorization matrix makes: every rule × method of app.url_map, on
each kind of object its arguments can name (public, staff-only, another user's draft)."""
from __future__ import annotations

from tests.security.helpers import World

# The object kinds a rule is tried on, by the first argument that names a process.
TARGETS_BY_ARGUMENT = {
    "petition_id": ("public", "staff", "draft"),
    "process_id": ("public", "staff", "proposals"),  # proposals: a budget taking proposals
    "conversation_id": ("public", "staff"),
    "scheme_id": ("public", "staff"),
}
UNKNOWN_TOKEN = "x" * 40


def cases(app) -> list[tuple[str, str, str]]:
    """(method, rule, target) for every route of the app; target "-" when it names none."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            named = rule.arguments - set(rule.defaults or {})
            targets = next((TARGETS_BY_ARGUMENT[arg] for arg in TARGETS_BY_ARGUMENT
                            if arg in named), ("-",))
            found += [(method, rule.rule, target) for target in targets]
    return sorted(found)


def url_for_case(world: World, rule_text: str, target: str) -> str:
    """The path of `rule_text` on the seeded object of kind `target`."""
    rule = next(r for r in world.app.url_map.iter_rules() if r.rule == rule_text)
    ids, values = world.ids, {}
    kind = "public" if target in ("-", "draft") else target
    for arg in rule.arguments:
        if arg == "petition_id":
            values[arg] = ids["petition_draft" if target == "draft" else f"petition_{kind}"]
        elif arg == "process_id":
            values[arg] = ids[f"budget_{kind}"]
        elif arg in ("conversation_id", "scheme_id"):
            values[arg] = ids[f"{arg.split('_')[0]}_{kind}"]
        elif arg == "project_pk":
            values[arg] = ids[f"project_{kind}"]
        elif arg == "user_id":
            values[arg] = ids["other_user"]
        elif arg == "filename":
            values[arg] = "css/site.css"
        else:  # token, code: a value nobody was given
            values[arg] = UNKNOWN_TOKEN
    return rule.build(values, append_unknown=False)[1]
