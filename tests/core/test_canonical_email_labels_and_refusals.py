"""The canonical email is built label by label, and a typed address that is not one address
is refused with one stated reason (core/identity.py, docs/reliability.md §2b)."""
import pytest

from core.identity import canonical_email


@pytest.mark.parametrize("typed", ["ana@@example.org", "ana.example.org", "ana@exa\x07mple.org"])
def test_an_address_without_exactly_one_at_sign_or_with_a_control_character_is_refused(typed):
    with pytest.raises(ValueError) as refused:
        canonical_email(typed)
    assert str(refused.value) == "not a single email address"


@pytest.mark.parametrize("typed", ["+news@example.org", "...@gmail.com", "ana@"])
def test_an_address_with_nothing_before_or_after_the_at_sign_is_refused(typed):
    with pytest.raises(ValueError) as refused:
        canonical_email(typed)
    assert str(refused.value) == "not a single email address"


def test_an_internationalised_domain_is_written_in_its_idna_form():
    assert canonical_email("ana@Bücher.example") == "ana@xn--bcher-kva.example"


def test_only_the_label_idna_refuses_stays_as_typed():
    # a 70-letter label is too long for IDNA; its neighbour is still converted
    long_label = "ü" * 70
    assert canonical_email(f"ana@bücher.{long_label}.example") == \
        f"ana@xn--bcher-kva.{long_label}.example"


def test_only_dots_separate_the_labels_of_a_domain():
    assert canonical_email("ana@exa mple.org") == "ana@exa mple.org"
