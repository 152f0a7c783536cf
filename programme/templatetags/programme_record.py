"""Template tags of the programme record pages."""

from django import template

from programme.selectors import number_text

register = template.Library()


@register.simple_tag
def measure(value, unit=""):
    """A benefit's figure as people write it: `16%`, `700`, `9 call centres`."""
    return number_text(value, unit)
