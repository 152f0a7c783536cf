"""Template tags for stage pages: RAG, output status, approval and due-date tags, each with
its word (colour only adds to it)."""

from django import template
from django.utils.html import format_html

from stages import rag as rag_scale

register = template.Library()

_OUTPUT_STATUS_COLOURS = {
    "not_started": "grey",
    "in_progress": "blue",
    "submitted": "yellow",
    "accepted": "green",
}
_STAGE_STATUS_COLOURS = {"not_started": "grey", "in_progress": "blue", "completed": "green"}


@register.simple_tag
def rag_tag(value, meaning: bool = False):
    """`<strong class="app-rag app-rag--amber-green">Amber/green</strong>`, optionally with
    what the rating means."""
    word = format_html(
        '<strong class="app-rag {}">{}</strong>', rag_scale.css_class(value), rag_scale.label(value)
    )
    if meaning and value:
        return format_html("{} <span>{}</span>", word, rag_scale.meaning(value))
    return word


@register.simple_tag
def output_status_tag(output):
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}">{}</strong>',
        _OUTPUT_STATUS_COLOURS.get(output.status, "grey"),
        output.get_status_display(),
    )


@register.simple_tag
def stage_status_tag(stage):
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}">{}</strong>',
        _STAGE_STATUS_COLOURS.get(stage.status, "grey"),
        stage.get_status_display(),
    )


@register.simple_tag
def approval_tag(approval):
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}">{}</strong>', approval.tag_modifier, approval.word
    )


@register.simple_tag
def due_tag(row):
    """Overdue / due soon, in words, for a `selectors.DueOutput`."""
    if row.state == "overdue":
        days = "day" if row.days == 1 else "days"
        return format_html(
            '<strong class="govuk-tag govuk-tag--red app-overdue">Overdue by {} {}</strong>',
            row.days,
            days,
        )
    if row.state == "due_soon":
        if row.days == 0:
            return format_html(
                '<strong class="govuk-tag govuk-tag--orange">{}</strong>', "Due today"
            )
        days = "day" if row.days == 1 else "days"
        return format_html(
            '<strong class="govuk-tag govuk-tag--orange">Due in {} {}</strong>', row.days, days
        )
    return ""
