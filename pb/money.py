"""Money of a process: integers in minor units in the database, exact major units in the engine.

The engine and pabulib files count in currency units (1 PLN), the database in minor units
(1 grosz); converting with the currency's precision keeps every amount exact, so an add1
step of "1 unit" means the same thing on the web as in `python -m pb`.
"""
from __future__ import annotations

from fractions import Fraction

from babel.numbers import get_currency_precision

from pb.instance import Money, format_money

COUNTRY_CURRENCY = {"poland": "PLN", "france": "EUR", "hungary": "HUF", "netherlands": "EUR",
                    "switzerland": "CHF"}


def scale(currency: str) -> int:
    return 10 ** get_currency_precision(currency)


def to_major(minor: int, currency: str) -> Money:
    value = Fraction(int(minor), scale(currency))
    return int(value) if value.denominator == 1 else value


def major_text(minor: int, currency: str) -> str:
    """Exact decimal text in currency units, as pabulib files and our JSON write money."""
    return format_money(to_major(minor, currency))


def to_minor(value: Money, currency: str) -> int:
    """Minor units of an exact amount; ValueError if it has more decimals than the currency."""
    minor = Fraction(value) * scale(currency)
    if minor.denominator != 1:
        raise ValueError(f"{format_money(value)} has more decimals than {currency} allows")
    return int(minor)
