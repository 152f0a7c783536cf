"""Template filters and tags used on every page: money, financial years, GOV.UK form fields."""

from datetime import date, datetime

from django import forms, template
from django.http import QueryDict
from django.utils import timezone
from django.utils.html import format_html

from core import dates, money, names
from core.forms import FileInput
from core.pagination import PER_PAGE, page_of
from core.pagination import page_links as pagination_links

register = template.Library()


@register.filter
def gbp(value):
    """`£490,000`; `£1,234.50` when there are pence."""
    try:
        return money.format_gbp(value)
    except (TypeError, ValueError):
        return value


@register.filter
def gbp_pence(value):
    try:
        return money.format_gbp(value, pence=True)
    except (TypeError, ValueError):
        return value


@register.filter
def gbp_m(value):
    """`£17.4m`."""
    try:
        return money.format_gbp_millions(value)
    except (TypeError, ValueError):
        return value


@register.filter
def fy(value):
    """The financial year of a date: `2022/23`."""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    if isinstance(value, date):
        return money.financial_year(value)
    return value


@register.filter
def govuk_date(value):
    """`19 July 2022`; `19 July 2022 at 14:05` for a moment."""
    return dates.govuk_date(value)


@register.filter
def person(user):
    """A person's full name (else username)."""
    return names.person_name(user, nobody="")


_INPUT_CLASSES = {
    "select": "govuk-select",
    "selectmultiple": "govuk-select",
    "textarea": "govuk-textarea",
    "clearablefile": "govuk-file-upload",
    "file": "govuk-file-upload",
    "checkbox": "govuk-checkboxes__input",
    "radioselect": "govuk-radios__input",
    "checkboxselectmultiple": "govuk-checkboxes__input",
}


@register.filter
def error_target(field):
    """The id an error summary links to for `field`: the first box of a date (the first one in
    error), the first of a set of radios or checkboxes, else the field itself."""
    widget_type = field.widget_type
    if widget_type == "date":
        parts = getattr(field.field.widget, "error_parts", ()) or ("day",)
        return f"{field.auto_id}_{parts[0]}"
    if widget_type in ("radioselect", "checkboxselectmultiple"):
        return f"{field.auto_id}_0"
    return field.auto_id


@register.simple_tag
def govuk_prepare(field):
    """Give a bound field's widget the GOV.UK classes and ARIA links for its hint and error."""
    widget = field.field.widget
    widget_type = field.widget_type
    css = _INPUT_CLASSES.get(widget_type, "govuk-input")
    if field.errors:
        css += {
            "govuk-select": " govuk-select--error",
            "govuk-textarea": " govuk-textarea--error",
            "govuk-input": " govuk-input--error",
            "govuk-file-upload": " govuk-file-upload--error",
        }.get(css, "")
    if isinstance(widget, forms.NumberInput) and "inputmode" not in widget.attrs:
        widget.attrs["inputmode"] = "decimal"
    if isinstance(widget, forms.ClearableFileInput):
        widget.template_name = FileInput.template_name
    if widget_type == "textarea" and getattr(field.field, "max_length", None):
        # GOV.UK's character count says how many are left; a `maxlength` attribute would
        # silently cut what is pasted instead, so the limit is checked on the server only.
        widget.attrs.pop("maxlength", None)
    if widget_type == "textarea" and getattr(field.field, "max_length", None):
        css += " govuk-js-character-count"
    widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    if widget_type == "textarea" and getattr(field.field, "max_length", None):
        described.insert(0, f"{field.auto_id}-info")
    if described and widget_type not in ("radioselect", "checkboxselectmultiple", "date"):
        widget.attrs["aria-describedby"] = " ".join(described)
    return ""


@register.simple_tag
def status_tag(text, css_modifier=""):
    """A GOV.UK tag: the word is always shown, colour only adds to it."""
    cls = f"govuk-tag govuk-tag--{css_modifier}" if css_modifier else "govuk-tag"
    return format_html('<strong class="{}">{}</strong>', cls, text)


@register.inclusion_tag("includes/pagination.html", takes_context=True)
def pagination(context, page, label, param="page", anchor="", noun="items"):
    """GOV.UK pagination for `page` (a Django Page): numbered links that keep the request's
    other query parameters; `label` names the list for screen readers ("Pages of progress
    updates"); `param` lets two lists on one page turn separately; `anchor` brings the reader
    back to the list."""
    request = context.get("request")
    query = request.GET if request is not None else QueryDict()
    previous, links, following = pagination_links(page, query, param=param, anchor=anchor)
    return {
        "page": page,
        "label": label,
        "noun": noun,
        "previous": previous,
        "links": links,
        "next": following,
    }


@register.simple_tag(takes_context=True)
def paginate(context, items, param="page", per_page=PER_PAGE):
    """`{% paginate items param="movements" as page %}`: the page of an already computed list
    that `?<param>=` asks for, for a list a view hands over whole (a running balance needs
    every row to compute, not to show). A query is better cut in its selector."""
    request = context.get("request")
    return page_of(
        items, request.GET.get(param) if request is not None else None, per_page=int(per_page)
    )


# Where a fact comes from (DESIGN: every fact says so). A reference that names the report and
# carries its words renders as "From the report, <reference>" with the words in a details
# element; one labelled as the demo's own as an "Illustrative (demo)" tag; any other as it is.
ILLUSTRATIVE_PREFIXES = ("Illustrative (demo)", "Demo assumption")


@register.inclusion_tag("includes/provenance.html", takes_context=True)
def provenance(context, item, shown=None):
    """`{% provenance row %}`, or `{% provenance row shown=row.text %}` where the page already
    shows the quoted words (then they are not repeated)."""
    reference = (getattr(item, "source_reference", "") or "").strip()
    quote = (getattr(item, "source_quote", "") or "").strip()
    word_for_word = (
        bool(quote)
        and shown is not None
        and " ".join(quote.split()) == " ".join(str(shown).split())
    )
    illustrative = reference.startswith(ILLUSTRATIVE_PREFIXES)
    if illustrative:
        for prefix in ILLUSTRATIVE_PREFIXES:
            reference = reference.removeprefix(prefix).lstrip(":;, ")
    return {
        "reference": reference,
        "quote": quote,
        "illustrative": illustrative,
        "word_for_word": word_for_word,
        # "…; requester, approver and dates illustrative": the report's part quoted, the rest
        # the demo's, and tagged so.
        "partly_illustrative": not illustrative and "illustrative" in reference.lower(),
        "open": bool(context.get("printable")),
    }
