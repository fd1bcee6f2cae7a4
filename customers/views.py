from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers.forms import ProfileForm, SignInForm, SignUpForm


def _next_url(request, default: str = "customers:account") -> str:
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse_lazy(default)


def sign_in(request):
    form = SignInForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        login(request, form.user)
        return redirect(_next_url(request))
    return render(request, "customers/sign_in.html", {"form": form, "next": request.GET.get("next", "")})


def sign_up(request):
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="customers.backends.ThrottledModelBackend")
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect(_next_url(request))
    return render(request, "customers/sign_up.html", {"form": form})


@require_POST
def sign_out(request):
    logout(request)
    return redirect("catalog:home")


@login_required(login_url="customers:sign_in")
def account(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Profile saved."))
        return redirect("customers:account")
    return render(request, "customers/account.html", {"form": form})


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "customers/password_reset.html"
    email_template_name = "customers/email/password_reset.txt"
    subject_template_name = "customers/email/password_reset_subject.txt"
    success_url = reverse_lazy("customers:password_reset_done")
    extra_email_context = {"STORE_NAME": settings.STORE_NAME}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "customers/password_reset_confirm.html"
    success_url = reverse_lazy("customers:password_reset_complete")
