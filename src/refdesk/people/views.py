from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from refdesk.core.errors import RefdeskError
from refdesk.people import services
from refdesk.people.forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "people/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@require_POST
def logout_view(request):
    logout(request)
    return redirect("people:login")


@login_required
def token_list(request):
    new_key = None
    if request.method == "POST":
        token, new_key = services.api_token_create(user=request.user, name=request.POST.get("name", ""))
        messages.success(request, f"Token “{token.name}” created. Copy it now: it is shown only once.")
    tokens = request.user.api_tokens.all()
    return render(request, "people/token_list.html", {"tokens": tokens, "new_key": new_key})


@login_required
@require_POST
def token_revoke(request, token_id: int):
    try:
        services.api_token_revoke(user=request.user, token_id=token_id)
        messages.success(request, "Token revoked.")
    except RefdeskError as exc:
        messages.error(request, exc.message)
    return redirect("people:token-list")
