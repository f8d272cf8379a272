"""What is kept of a signer's area, and when one more signature from an IP is too many,
at the exact edges (petitions/identity.py)."""
from petitions.identity import SigningLimits, area_code, over_limit


def test_a_district_is_kept_up_to_80_characters():
    assert area_code("d" * 81, kind="district") == "d" * 80
    assert area_code("d" * 80, kind="district") == "d" * 80


def test_a_postcode_of_five_characters_or_more_loses_its_last_three():
    assert area_code("sw1a 1", kind="postcode") == "SW"
    assert area_code("SW1A1A", kind="postcode") == "SW1"


def test_a_postcode_of_four_characters_is_kept_whole():
    assert area_code("SW1A", kind="postcode") == "SW1A"


def test_the_outward_code_kept_is_at_most_ten_characters():
    assert area_code("ABCDEFGHIJKL123", kind="postcode") == "ABCDEFGHIJ"


def test_the_sustained_ip_limit_is_reached_at_exactly_its_number():
    limits = SigningLimits(ip_burst=10, ip_sustained=5)
    assert over_limit(limits=limits, ip_recent_burst=0, ip_recent_sustained=5,
                      domain_recent_hour=0, domain="gmail.com")
    assert not over_limit(limits=limits, ip_recent_burst=0, ip_recent_sustained=4,
                          domain_recent_hour=0, domain="gmail.com")
