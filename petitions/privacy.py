"""Forgetting signers (docs/reliability.md §2e): blank the personal data of signatures, for
`jobs.anonymise` and for account deletion (registered with core.privacy in create_app)."""
from __future__ import annotations

import hashlib
import hmac

# The keyed hash below needs the app's secret key, and only the app knows it.
from flask import current_app  # noqa: TID251
from sqlalchemy import bindparam, select, update

from core.db import db
from core.identity import canonical_email
from petitions.models import Signature

ANONYMOUS_PREFIX = "anon:"


def anonymous_key(canonical: str) -> str:
    """What a forgotten signature keeps of its signer: "anon:" + HMAC-SHA256 of the
    canonical email under the app's secret key. It names nobody, yet the same mailbox
    signing the same petition again (say after deleting the account and registering anew)
    meets it and is not counted twice. Rotating SECRET_KEY breaks that link for older rows."""
    key = hmac.new(current_app.secret_key.encode(), b"signer:" + canonical.encode(),
                   hashlib.sha256).hexdigest()
    return ANONYMOUS_PREFIX + key


def forget_signers(*where) -> None:
    """Blank the personal data of the signatures matching `where`: name, email, IP, area as
    entered, token, user link and email opt-in. The state, counts, area code and timestamps
    survive; the canonical email becomes its anonymous_key, so the unique (petition, person)
    key stays the same person's without naming anyone. Runs in the caller's transaction."""
    rows = db.session.execute(select(Signature.id, Signature.canonical_email)
                              .where(*where)).all()
    if not rows:
        return
    table = Signature.__table__
    db.session.execute(
        update(table).where(table.c.id == bindparam("sid")).values(
            name="", email="", ip=None, area=None, token=None, user_id=None,
            notify_by_email=False, language=None, canonical_email=bindparam("key")),
        [{"sid": sid, "key": canonical if canonical.startswith(ANONYMOUS_PREFIX)
          else anonymous_key(canonical)} for sid, canonical in rows])


def forget_user(user) -> None:
    """Account deletion hook: blank the user's signatures, those signed while logged in and
    those confirmed by email from the account's address. Counts stay."""
    mine = Signature.user_id == user.id
    try:
        mine = mine | (Signature.canonical_email == canonical_email(user.email or ""))
    except ValueError:  # an address that cannot sign had no email signatures
        pass
    forget_signers(mine)
