"""Money and financial years: one rounding helper, one parser, one formatter, sums that start
at £0.00."""

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

ZERO = Decimal("0.00")
PENNY = Decimal("0.01")
# The largest amount any form accepts: £999,999,999.99 (no council reserve comes near it).
MONEY_MAX = Decimal("999999999.99")


def to_money(value) -> Decimal:
    """Return `value` as pounds with 2 places; strings and ints only, never floats."""
    if isinstance(value, float):
        raise TypeError("Money must not be built from a float; pass a string or Decimal.")
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"Not an amount of money: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"Not an amount of money: {value!r}")
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


_AMOUNT_TEXT = re.compile(r"^\d{1,3}(,\d{3})+(\.\d*)?$|^\d+(\.\d*)?$|^\.\d+$")


def parse_money(value, *, allow_zero: bool = False) -> Decimal:
    """An amount of money as typed (`30000`, `£30,000.50`) → Decimal, or a field message: the
    one parser every form and service uses.

    Refuses blanks, words, NaN/Infinity, negatives, zero, more than 2 decimal places and
    anything above MONEY_MAX. Floats are refused: money never passes through one.
    """
    if isinstance(value, float):
        raise TypeError("Money must not be passed as a float.")
    if isinstance(value, Decimal):
        amount = value
        if not amount.is_finite():
            raise ValidationError(
                "Enter the amount as a number of pounds, like 30000 or 30,000.50", code="invalid"
            )
    else:
        text = str(value if value is not None else "").strip().replace(" ", "")
        if not text:
            raise ValidationError("Enter the amount in pounds", code="required")
        unsigned = text.lstrip("-−+").removeprefix("£").lstrip("-−")
        if unsigned != text.removeprefix("£").lstrip("+") and _AMOUNT_TEXT.match(unsigned):
            # A minus sign before or after the £: money is taken out, never put in, here.
            message = (
                "The amount cannot be negative" if allow_zero else "The amount must be more than £0"
            )
            raise ValidationError(message, code="min_value")
        text = text.removeprefix("£")
        if not _AMOUNT_TEXT.match(text):
            raise ValidationError(
                "Enter the amount as a number of pounds, like 30000 or 30,000.50", code="invalid"
            )
        try:
            amount = Decimal(text.replace(",", ""))
        except InvalidOperation as exc:
            raise ValidationError(
                "Enter the amount as a number of pounds, like 30000 or 30,000.50", code="invalid"
            ) from exc
    if amount < ZERO or (amount == ZERO and not allow_zero):
        message = (
            "The amount cannot be negative" if allow_zero else "The amount must be more than £0"
        )
        raise ValidationError(message, code="min_value")
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(
            "Enter the amount to the nearest penny: no more than 2 decimal places",
            code="decimal_places",
        )
    if amount > MONEY_MAX:
        raise ValidationError(
            f"The amount must be {format_gbp(MONEY_MAX)} or less", code="max_value"
        )
    return amount.quantize(Decimal("0.01"))


def money_sum(values) -> Decimal:
    return sum((to_money(v) for v in values if v is not None), ZERO)


def format_gbp(value, *, pence: bool | None = None) -> str:
    """`£490,000` for whole pounds, `£1,234.50` otherwise; negatives as `−£5,000`."""
    if value is None or value == "":
        return ""
    amount = to_money(value)
    show_pence = pence if pence is not None else amount != amount.to_integral_value()
    text = f"{abs(amount):,.2f}" if show_pence else f"{abs(amount):,.0f}"
    return f"−£{text}" if amount < 0 else f"£{text}"


def format_gbp_millions(value) -> str:
    """`£17.4m`, `£5.42m`: how finance reports quote reserve balances."""
    amount = to_money(value) / Decimal(1_000_000)
    text = f"{amount:.2f}".rstrip("0").rstrip(".")
    return f"£{text}m"


def financial_year_start(day: date) -> int:
    """The calendar year in which the financial year holding `day` began (April to March)."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year(day: date) -> str:
    """`2022/23` for any date from 1 April 2022 to 31 March 2023."""
    start = financial_year_start(day)
    return f"{start}/{(start + 1) % 100:02d}"


def financial_year_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def financial_year_bounds(start_year: int) -> tuple[date, date]:
    return date(start_year, 4, 1), date(start_year + 1, 3, 31)


class MoneyField(models.DecimalField):
    """Pounds with 2 places, never negative unless `allow_negative=True`."""

    def __init__(self, *args, allow_negative: bool = False, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        self.allow_negative = allow_negative
        super().__init__(*args, **kwargs)
        if not allow_negative:
            self.validators.append(MinValueValidator(ZERO))

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.allow_negative:
            kwargs["allow_negative"] = True
        return name, path, args, kwargs
