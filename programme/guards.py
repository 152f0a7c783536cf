"""Guards on the programme's own rows: they refuse a save that breaks a rule, nothing more.

Wired by `programme.apps` → `programme.signals` (one-line receivers) → here.
"""

from django.core.exceptions import ValidationError

from core.money import to_money

from .models import Programme


def refuse_ceiling_change_without_decision(programme: Programme, *, update_fields=None) -> None:
    """The spending ceiling changes only through a recorded decision (the ceiling service of
    the reserves ledger, which marks the instance it saves). Any other save that would change
    it (admin, shell, a script) is refused."""
    if programme.pk is None or getattr(programme, "_ceiling_decision", None) is not None:
        return
    if update_fields is not None and "spending_ceiling" not in update_fields:
        return
    stored = (
        Programme.objects.filter(pk=programme.pk).values_list("spending_ceiling", flat=True).first()
    )
    if stored is None or programme.spending_ceiling is None:
        return
    if to_money(stored) != to_money(programme.spending_ceiling):
        raise ValidationError(
            {
                "spending_ceiling": "The spending ceiling changes only through a recorded "
                "decision (Programme record → Change the spending ceiling)."
            }
        )
