"""Rewards pages: thin doors onto the rewards services and selectors.

Forms here are plain HTML posting the raw values; the services clean them and their errors come
back as a message at the top of the page (422 on the page itself would lose the list around it).
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from refdesk.core.errors import RefdeskError
from refdesk.core.views import fetch, paginate, render_page
from refdesk.people.permissions import is_program_manager
from refdesk.pool.choices import ActivityType
from refdesk.rewards import selectors, services
from refdesk.rewards.choices import ItemKind, Period, RedemptionStatus, RefusalCode
from refdesk.rewards.models import CatalogueItem, ThankYouTemplate


def _pm(request) -> None:
    if not is_program_manager(request.user):
        raise PermissionDenied("Only a program manager can open this page.")


def _act(request, fn, success: str, **kwargs) -> bool:
    """Call a service; a domain error becomes an error message, a refusal of rights a 403."""
    from refdesk.core.errors import Forbidden

    try:
        fn(actor=request.user, **kwargs)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    except RefdeskError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


def _back(request, default: str):
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else default)


# --- for everyone: my points, leaderboards, contests ----------------------------------------------


@login_required
def home(request):
    """My points, what I can redeem, and (for program managers) what waits for them."""
    mine = selectors.my_points(user=request.user)
    context = {
        "mine": mine,
        "catalogue": list(selectors.catalogue_list(user=request.user)),
        "counts": selectors.pm_counts(user=request.user)
        if is_program_manager(request.user)
        else None,
        "board": selectors.leaderboard(user=request.user, period=Period.MONTH),
        "contests": [
            c
            for c in selectors.contest_list(user=request.user)
            if c.ends_on >= timezone.now().date()
        ][:3],
        "section": "home",
    }
    return render(request, "rewards/home.html", context)


@login_required
@require_POST
def redeem(request):
    """Spend my own points on a catalogue item."""
    item_id = _int(request.POST.get("item_id"))
    _act(request, services.reward_redeem, "Redeemed: your request waits for the program manager's approval.", item_id=item_id,
         note=request.POST.get("note", ""))  # fmt: skip
    return _back(request, "rewards:home")


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def leaderboard(request):
    """Salespeople ranked by points earned in a month, quarter or year, for everyone or one team."""
    period = (
        request.GET.get("period") if request.GET.get("period") in Period.values else Period.MONTH
    )
    team = request.GET.get("team", "")
    board = fetch(
        selectors.leaderboard,
        user=request.user,
        period=period,
        on=_date(request.GET.get("on")),
        team=team,
    )
    context = {
        "board": board,
        "rows": board["rows"],
        "periods": Period.choices,
        "teams": selectors.teams(),
        "section": "leaderboard",
    }
    return render_page(
        request, "rewards/leaderboard.html", context, fragment="rewards/partials/board.html"
    )


@login_required
def contest_list(request):
    """Contests, current first; program managers start new ones here."""
    if request.method == "POST":
        _pm(request)
        ok = _act(request, services.contest_create, "Contest started.", name=request.POST.get("name", ""),
                  description=request.POST.get("description", ""), starts_on=request.POST.get("starts_on", ""),
                  ends_on=request.POST.get("ends_on", ""), team=request.POST.get("team", ""),
                  prizes=[p for p in request.POST.get("prizes", "").splitlines() if p.strip()])  # fmt: skip
        if ok:
            return redirect("rewards:contest-list")
    today = timezone.now().date()
    contests = list(selectors.contest_list(user=request.user))
    context = {"contests": contests, "today": today, "teams": selectors.teams(), "section": "contests",
               "is_pm": is_program_manager(request.user), "values": request.POST}  # fmt: skip
    return render(
        request,
        "rewards/contest_list.html",
        context,
        status=422 if request.method == "POST" else 200,
    )


@login_required
def contest_detail(request, contest_id: int):
    contest = fetch(selectors.contest_get, user=request.user, contest_id=contest_id)
    context = {
        "contest": contest,
        "rows": selectors.contest_standings(contest),
        "section": "contests",
    }
    return render(request, "rewards/contest_detail.html", context)


# --- thank-yous (account owners and program managers) -------------------------------------------------


@login_required
def thank_you_list(request):
    """Thank-yous owed: overdue first; send one from a template or record it."""
    overdue = request.GET.get("overdue") == "1"
    now = timezone.now()
    page = paginate(request, selectors.thank_you_list(user=request.user, overdue=overdue, now=now))
    context = {"page": page, "overdue": overdue, "now": now, "section": "thank-yous",
               "templates": list(selectors.thank_you_template_list(user=request.user, active_only=True))}  # fmt: skip
    return render_page(
        request,
        "rewards/thank_you_list.html",
        context,
        fragment="rewards/partials/thank_you_rows.html",
    )


@login_required
@require_POST
def thank_you_done(request, task_id: int):
    send = request.POST.get("send", "1") == "1"
    _act(request, services.thank_you_complete, "Thank-you sent." if send else "Thank-you recorded.", task_id=task_id,
         template_id=_int(request.POST.get("template_id")) or None, note=request.POST.get("note", ""), send=send)  # fmt: skip
    return _back(request, "rewards:thank-you-list")


@login_required
def template_list(request):
    """Thank-you note templates (program managers edit them)."""
    _pm(request)
    editing = None
    if request.GET.get("edit"):
        editing = ThankYouTemplate.objects.filter(pk=_int(request.GET["edit"])).first()
    if request.method == "POST":
        template_id = _int(request.POST.get("template_id")) or None
        ok = _act(request, services.thank_you_template_save, "Template saved.", template_id=template_id,
                  name=request.POST.get("name", ""), activity_type=request.POST.get("activity_type", ""),
                  subject=request.POST.get("subject", ""), body=request.POST.get("body", ""),
                  active=request.POST.get("active") == "on")  # fmt: skip
        if ok:
            return redirect("rewards:template-list")
    context = {"templates": list(selectors.thank_you_template_list(user=request.user)), "editing": editing,
               "activity_types": ActivityType.choices, "section": "templates"}  # fmt: skip
    return render(
        request,
        "rewards/template_list.html",
        context,
        status=422 if request.method == "POST" else 200,
    )


# --- the program manager's pages ----------------------------------------------------------------------


@login_required
def rules(request):
    """Points per activity type and sales action, expiry, the yearly value cap, the thank-you deadline."""
    _pm(request)
    if request.method == "POST":
        ok = True
        if request.POST.get("form") == "rules":
            try:
                for rule in selectors.earn_rule_list(user=request.user):
                    services.earn_rule_set(actor=request.user, key=rule.key, points=request.POST.get(f"points_{rule.key}", ""),
                                           active=request.POST.get(f"active_{rule.key}") == "on")  # fmt: skip
                messages.success(request, "Earn rules saved.")
            except RefdeskError as exc:
                ok = False
                messages.error(request, exc.message)
        else:
            fields = {k: request.POST.get(k, "") for k in services.SETTINGS_FIELDS}
            ok = _act(request, services.reward_settings_update, "Settings saved.", **fields)
        if ok:
            return redirect("rewards:rules")
    context = {"rules": list(selectors.earn_rule_list(user=request.user)), "settings": services.reward_settings_get(),
               "section": "rules"}  # fmt: skip
    return render(
        request, "rewards/rules.html", context, status=422 if request.method == "POST" else 200
    )


def _item_fields(post) -> dict:
    return {
        "name": post.get("name", ""), "kind": post.get("kind", ""), "description": post.get("description", ""),
        "points_cost": post.get("points_cost", ""), "stock": post.get("stock", ""), "countries": post.get("countries", ""),
        "value": post.get("value", "") or "0", "active": post.get("active") == "on",
    }  # fmt: skip


@login_required
def catalogue(request):
    """The catalogue: items, their cost, stock, countries and value; add one."""
    _pm(request)
    if request.method == "POST":
        if _act(
            request, services.catalogue_item_create, "Item added.", **_item_fields(request.POST)
        ):
            return redirect("rewards:catalogue")
    context = {"items": list(selectors.catalogue_list(user=request.user, include_inactive=True)), "kinds": ItemKind.choices,
               "values": request.POST, "section": "catalogue", "settings": services.reward_settings_get()}  # fmt: skip
    return render(
        request, "rewards/catalogue.html", context, status=422 if request.method == "POST" else 200
    )


@login_required
def item_edit(request, item_id: int):
    _pm(request)
    item = CatalogueItem.objects.filter(pk=item_id).first()
    if item is None:
        from django.http import Http404

        raise Http404("No such catalogue item.")
    if request.method == "POST":
        if _act(
            request,
            services.catalogue_item_update,
            "Item saved.",
            item_id=item.pk,
            **_item_fields(request.POST),
        ):
            return redirect("rewards:catalogue")
    return render(request, "rewards/item_edit.html", {"item": item, "kinds": ItemKind.choices, "section": "catalogue"},
                  status=422 if request.method == "POST" else 200)  # fmt: skip


@login_required
def redemption_list(request):
    """Redemptions to approve and fulfil (program managers); anyone else sees their own."""
    status = request.GET.get(
        "status", RedemptionStatus.REQUESTED if is_program_manager(request.user) else ""
    )
    status = status if status in RedemptionStatus.values else ""
    page = paginate(request, fetch(selectors.redemption_list, user=request.user, status=status))
    context = {"page": page, "status": status, "statuses": RedemptionStatus.choices, "section": "redemptions",
               "is_pm": is_program_manager(request.user)}  # fmt: skip
    return render_page(
        request,
        "rewards/redemption_list.html",
        context,
        fragment="rewards/partials/redemption_rows.html",
    )


ACTIONS = {
    "approve": (services.redemption_approve, "Redemption approved."),
    "fulfil": (services.redemption_fulfil, "Marked fulfilled."),
    "refuse": (services.redemption_refuse, "Redemption refused; the points were returned."),
}


@login_required
@require_POST
def redemption_action(request, redemption_id: int, action: str):
    if action not in ACTIONS:
        from django.http import Http404

        raise Http404("No such action.")
    fn, success = ACTIONS[action]
    extra = {"reason": request.POST.get("reason", "")} if action == "refuse" else {}
    _act(request, fn, success, redemption_id=redemption_id, **extra)
    return _back(request, "rewards:redemption-list")


@login_required
def refusal_list(request):
    """Every refused credit and redemption, with its reason."""
    _pm(request)
    code = request.GET.get("code", "")
    page = paginate(
        request,
        fetch(
            selectors.refusal_list,
            user=request.user,
            code=code if code in RefusalCode.values else "",
        ),
    )
    return render(
        request,
        "rewards/refusal_list.html",
        {"page": page, "code": code, "codes": RefusalCode.choices, "section": "refusals"},
    )


@login_required
def reference_points(request, reference_id: int):
    """A reference's points as the program manager sees them: ledger, redemptions, catalogue; adjust or redeem for them."""
    _pm(request)
    summary = fetch(selectors.reference_rewards_summary, reference_id=reference_id)
    if request.method == "POST":
        if request.POST.get("form") == "adjust":
            holder = services.holder_for_reference(reference_id)
            _act(request, services.points_adjust, "Points adjusted.", holder_id=holder.pk,
                 points=_int(request.POST.get("points")), reason=request.POST.get("reason", ""))  # fmt: skip
        elif request.POST.get("form") == "redeem":
            _act(request, services.reward_redeem, "Redeemed for them; it waits for approval.", reference_id=reference_id,
                 item_id=_int(request.POST.get("item_id")), note=request.POST.get("note", ""))  # fmt: skip
        return redirect("rewards:reference-points", reference_id=reference_id)
    return render(
        request, "rewards/reference_points.html", {"s": summary, "section": "redemptions"}
    )
