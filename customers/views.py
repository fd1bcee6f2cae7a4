from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.client_address import client_address
from customers import selectors, throttle
from customers.forms import AddressForm, MessagePreferencesForm, ProfileForm, SignInForm, SignUpForm
from customers.models import Consent, DataRequest
from customers.privacy import data_request_submit, marketing_consent_current, marketing_preferences_set
from customers.services import points_balance

account_required = login_required(login_url="customers:sign_in")


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
        user = form.sign_up(request)
        login(request, user, backend="customers.backends.ThrottledModelBackend")
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect(_next_url(request))
    return render(request, "customers/sign_up.html", {"form": form})


@require_POST
def sign_out(request):
    logout(request)
    return redirect("catalog:home")


@account_required
def account(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Profile saved."))
        return redirect("customers:account")
    return render(request, "customers/account.html", {"form": form})


@account_required
def addresses(request):
    return render(request, "customers/addresses.html", {
        "addresses": selectors.addresses_for_customer(user=request.user),
    })


@account_required
def address_edit(request, pk: int | None = None):
    address = selectors.address_get_for_customer(user=request.user, pk=pk) if pk is not None else None
    form = AddressForm(request.POST or None, instance=address)
    if request.method == "POST" and form.is_valid():
        form.instance.user = request.user
        form.save()
        messages.success(request, _("Address saved."))
        return redirect("customers:addresses")
    return render(request, "customers/address_form.html", {"form": form, "address": address})


@account_required
def address_delete(request, pk: int):
    address = selectors.address_get_for_customer(user=request.user, pk=pk)
    if request.method == "POST":
        address.delete()
        messages.success(request, _("Address deleted."))
        return redirect("customers:addresses")
    return render(request, "customers/address_delete.html", {"address": address})


@account_required
def points(request):
    return render(request, "customers/points.html", {
        "balance": points_balance(user=request.user),
        "entries": selectors.points_entries_for_customer(user=request.user)[:200],
    })


@account_required
def preferences(request):
    current = {
        "marketing_email": marketing_consent_current(user=request.user, kind=Consent.Kind.MARKETING_EMAIL),
        "marketing_sms": marketing_consent_current(user=request.user, kind=Consent.Kind.MARKETING_SMS),
    }
    form = MessagePreferencesForm(request.POST or None, initial=current)
    if request.method == "POST" and form.is_valid():
        marketing_preferences_set(
            user=request.user, email=form.cleaned_data["marketing_email"], sms=form.cleaned_data["marketing_sms"]
        )
        messages.success(request, _("Your message preferences are saved."))
        return redirect("customers:preferences")
    return render(request, "customers/preferences.html", {"form": form})


@account_required
def privacy(request):
    return render(request, "customers/privacy.html", {
        "delete_request": selectors.data_request_open(user=request.user, kind=DataRequest.Kind.DELETE),
    })


@account_required
def data_export(request):
    """The customer's data as a JSON file, at once: nothing to wait for or to process by hand."""
    data = selectors.personal_data_export(user=request.user)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    filename = f"my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@account_required
@require_POST
def data_delete_request(request):
    data_request_submit(user=request.user, kind=DataRequest.Kind.DELETE)
    messages.success(request, _("We have received your request and will delete your account within 30 days. "
                                "We will write to you at %(email)s when it is done.") % {"email": request.user.email})
    return redirect("customers:privacy")


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "customers/password_reset.html"
    email_template_name = "customers/email/password_reset.txt"
    subject_template_name = "customers/email/password_reset_subject.txt"
    success_url = reverse_lazy("customers:password_reset_done")
    extra_email_context = {"STORE_NAME": settings.STORE_NAME}

    def form_valid(self, form):
        """Send the link, unless this account or this address asked too often (customers.throttle)."""
        if not throttle.password_reset_allowed(email=form.cleaned_data["email"],
                                               address=client_address(self.request)):
            minutes = settings.PASSWORD_RESET_THROTTLE_MINUTES
            form.add_error(None, ngettext(
                "Too many requests for a new password. Please wait %(minutes)d minute and try again.",
                "Too many requests for a new password. Please wait %(minutes)d minutes and try again.",
                minutes,
            ) % {"minutes": minutes})
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "customers/password_reset_confirm.html"
    success_url = reverse_lazy("customers:password_reset_complete")
