"""Forgetting signers (docs/reliability.md §2e): blank the personal data of signatures, for
`jobs.anonymise` and for account deletion (registered with core.privacy in create_app)."""
from __future__ import annotations

from sqlalchemy import String, cast, update

from core.db import NO_SYNC, db
from core.identity import canonical_email
from petitions.models import Signature


def forget_signers(*where) -> None:
    """Blank the personal data of the signatures matching `where`: name, email, IP, area as
    entered, token, user link and email opt-in. The state, counts, area code and timestamps
    survive; the canonical email becomes "anon:<id>" so the unique (petition, person) key stays
    unique without naming anyone. Runs in the caller's transaction."""
    db.session.execute(
        update(Signature).where(*where).values(
            name="", email="", ip=None, area=None, token=None, user_id=None,
            notify_by_email=False, canonical_email="anon:" + cast(Signature.id, String)),
        execution_options=NO_SYNC)


def forget_user(user) -> None:
    """Account deletion hook: blank the user's signatures, those signed while logged in and
    those confirmed by email from the account's address. Counts stay."""
    mine = Signature.user_id == user.id
    try:
        mine = mine | (Signature.canonical_email == canonical_email(user.email or ""))
    except ValueError:  # an address that cannot sign had no email signatures
        pass
    forget_signers(mine)
