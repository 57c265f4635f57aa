"""Insights pages: the dashboard, the rows behind each figure, and their exports (thin doors onto selectors)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from refdesk.core.errors import InvalidInput
from refdesk.core.views import fetch, paginate
from refdesk.insights import charts, exporting, selectors
from refdesk.people.services import audit_figures_export


def _period(request):
    return selectors.period_parse(request.GET.get("from", "")[:20], request.GET.get("to", "")[:20])


def _query(period) -> str:
    return f"from={period.start.isoformat()}&to={period.end.isoformat()}"


@login_required
@require_GET
def home(request):
    fetch(selectors.require_read, user=request.user)
    try:
        period = _period(request)
    except InvalidInput as exc:
        context = {
            "error": exc.message,
            "values": {
                "from": request.GET.get("from", "")[:20],
                "to": request.GET.get("to", "")[:20],
            },
        }
        return render(request, "insights/home.html", context, status=422)
    fresh = request.GET.get("fresh") == "1"
    snapshot = fetch(selectors.dashboard_snapshot, user=request.user, period=period, fresh=fresh)
    context = {
        "panels_html": _panels_html(snapshot, query=_query(period)),
        "period": period,
        "computed_at": snapshot.computed_at,
        "max_age": settings.REFDESK_INSIGHTS_MAX_AGE,
        "query": _query(period),
        "values": period.as_dict(),
    }
    return render(request, "insights/home.html", context)


# The panels' markup depends only on the snapshot (the same for every reader), so it is rendered
# once per snapshot: sixteen charts and tables cost more than everything else on the page.
_rendered: dict[tuple, str] = {}


def _panels_html(snapshot: selectors.Snapshot, *, query: str) -> str:
    key = (snapshot.period.start, snapshot.period.end, snapshot.computed_at)
    html = _rendered.get(key)
    if html is None:
        panels = [
            {"figure": f, "svg": charts.bar_chart(f.chart, title=f.title, unit=f.chart_unit, kind=f.chart_kind, series=f.series)}
            for f in snapshot.figures
        ]  # fmt: skip
        html = render_to_string("insights/partials/panels.html", {"panels": panels, "query": query})
        if len(_rendered) > 64:
            _rendered.clear()
        _rendered[key] = html
    return mark_safe(html)  # rendered by the template engine above, escaped there


@login_required
@require_GET
def figure_rows(request, figure: str):
    try:
        period = _period(request)
    except InvalidInput as exc:
        return render(request, "insights/rows.html", {"error": exc.message}, status=422)
    rows = fetch(selectors.figure_rows, user=request.user, key=figure, period=period)
    page = paginate(request, rows.queryset)
    context = {
        "rows": rows,
        "page": page,
        "period": period,
        "query": _query(period),
        "figure": figure,
    }
    return render(request, "insights/rows.html", context)


def _download(columns, data, *, fmt: str, name: str, title: str):
    if fmt == "csv":
        response = StreamingHttpResponse(
            exporting.csv_lines(columns, data), content_type=exporting.CONTENT_TYPES["csv"]
        )
    else:
        response = HttpResponse(
            exporting.xlsx_bytes(columns, data, title=title),
            content_type=exporting.CONTENT_TYPES["xlsx"],
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _bad(exc: InvalidInput):
    return HttpResponse(exc.message, status=422, content_type="text/plain; charset=utf-8")


@login_required
@require_GET
def figure_export(request, figure: str, fmt: str):
    try:
        fmt, period = exporting.export_format(fmt), _period(request)
    except InvalidInput as exc:
        return _bad(exc)
    result = fetch(selectors.figure_get, user=request.user, key=figure, period=period)
    name = f"{figure}-{period.start}-{period.end}"
    audit_figures_export(request.user, via="page", detail=f"{name}.{fmt}", count=len(result.rows))
    return _download(
        result.columns,
        result.rows,
        fmt=fmt,
        name=name,
        title=figure,
    )


@login_required
@require_GET
def rows_export(request, figure: str, fmt: str):
    try:
        fmt, period = exporting.export_format(fmt), _period(request)
    except InvalidInput as exc:
        return _bad(exc)
    rows = fetch(selectors.figure_rows, user=request.user, key=figure, period=period)
    data = rows.queryset.iterator(chunk_size=2000)
    name = f"{figure}-rows-{period.start}-{period.end}"
    audit_figures_export(request.user, via="page", detail=f"{name}.{fmt}")
    return _download(rows.columns, data, fmt=fmt, name=name, title=figure)
