from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path
from django.views.generic import RedirectView

from refdesk.api import api


def healthz(request):
    """Liveness and database reachability for load balancers."""
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


# A database outage outside a view (e.g. saving the session) answers 503, not 500.
handler500 = "refdesk.core.middleware.server_error"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="pool:reference-list", permanent=False), name="home"),
    path("healthz", healthz, name="healthz"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("refdesk.people.urls")),
    path("pool/", include("refdesk.pool.urls")),
    path("match/", include("refdesk.matching.urls")),
    path("requests/", include("refdesk.asks.urls")),
    path("notify/", include("refdesk.notify.urls")),
    path("activities/", include("refdesk.activities.urls")),
    path("rewards/", include("refdesk.rewards.urls")),
    path("growth/", include("refdesk.growth.urls")),
    path("referrals/", include("refdesk.referrals.urls")),
    path("insights/", include("refdesk.insights.urls")),
    path("portal/", include("refdesk.portal.urls")),
]
