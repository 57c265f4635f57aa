"""As-you-type industry suggestions: an htmx fragment for any form's industry input."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from refdesk.pool.industry import industry_resolve

SUGGESTIONS = 8


@login_required
@require_GET
def industry_suggest(request):
    """NAICS suggestions for `?q=` (or `?industry=`, the form field's name) as a list of buttons.

    Use on an input: hx-get="{% url 'pool:industry-suggest' %}" hx-trigger="input changed delay:250ms"
    hx-target="#industry-suggestions" (the input's own value is sent under its name)."""
    text = (request.GET.get("q") or request.GET.get("industry") or "").strip()[:200]
    target = request.GET.get("target", "id_industry")
    if not target.replace("_", "").replace("-", "").isalnum():
        target = "id_industry"
    matches = industry_resolve(text, limit=SUGGESTIONS) if text else []
    return render(
        request,
        "pool/partials/industry_suggestions.html",
        {"text": text, "matches": matches, "target": target},
    )
