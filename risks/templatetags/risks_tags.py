"""Template tags for risk pages and the dashboard: a score with its band word and colour, and
the 5×5 heat map table (`{% load risks_tags %}{% heat_map_table heat_map %}`)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def band_tag(score, band):
    """`12 High` in the band's colour; the word is always there, so colour is never alone."""
    if score is None:
        return mark_safe('<strong class="govuk-tag govuk-tag--grey">Not scored</strong>')  # noqa: S308
    if band is None:
        return format_html(
            '<strong class="govuk-tag govuk-tag--grey">{} <span>Unbanded</span></strong>', score
        )
    html = '<strong class="govuk-tag {}">{} <span>{}</span></strong>'
    return format_html(html, band.css_class, score, band.label)


@register.simple_tag
def risk_score(risk, basis):
    """The band tag for `risk`'s inherent, residual or target score (bands set by selectors)."""
    return band_tag(getattr(risk, f"{basis}_score"), getattr(risk, f"{basis}_band", None))


@register.inclusion_tag("risks/_heat_map.html")
def heat_map_table(heat_map, heading_level=3):
    return {"heat_map": heat_map, "heading_level": heading_level}
