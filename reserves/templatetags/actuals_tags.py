"""Actual spend on other apps' pages, one line each: the reserve statement, the dashboard and
the highlight report load these tags rather than their views gathering the figures."""

from django import template

from reserves.actuals import selectors
from reserves.actuals.charts import monthly_spend_svg

register = template.Library()


@register.inclusion_tag("reserves/actuals/_programme_panel.html", takes_context=True)
def programme_actuals_panel(context, programme, heading_level=2, chart=True):
    """Spend, reconciliation and forecast outturn of one programme, with its chart and table."""
    data = selectors.programme_actuals(programme)
    svg = None
    if chart and data.months:
        svg = monthly_spend_svg(
            data.months,
            title_id=f"actuals-panel-chart-{programme.pk}",
            title=f"Actual spend by month, {programme.name}",
        )
    return {
        "programme": programme,
        "a": data,
        "chart": svg,
        "heading_level": heading_level,
        "request": context.get("request"),
        "can": {},
    }


@register.inclusion_tag("reserves/actuals/_reserve_panel.html")
def reserve_actuals_panel(reserve):
    """Drawn from the reserve against spent, for each programme it funds."""
    return {"reserve": reserve, "rows": selectors.reserve_reconciliation(reserve)}
