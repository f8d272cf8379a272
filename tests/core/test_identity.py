"""One fold of invisible characters serves account emails and petition signers alike."""
from accounts.service import normalise_email
from core.identity import canonical_email, fold_invisible


def test_full_width_and_invisible_characters_are_folded_away():
    assert fold_invisible(" ｊｏ\u200bｈ\u00adｎ\ufeff ") == "john"


def test_account_emails_and_signer_emails_fold_the_same_way():
    typed = "Ｊｏ\u00adhn\u200d@Example.org"
    assert normalise_email(typed) == "john@example.org"
    assert canonical_email(typed) == "john@example.org"
