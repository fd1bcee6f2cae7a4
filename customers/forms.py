from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.client_address import client_address
from core.phones import phone_normalize
from customers import throttle
from customers.models import Address, User
from customers.services import customer_sign_up


def phone_clean(raw: str) -> str:
    """A customer's phone as an account keeps it: E.164, the outbox's format (core.phones);
    empty when none was given. A number phone_normalize cannot read is refused."""
    if not (raw or "").strip():
        return ""
    try:
        return phone_normalize(raw)
    except ValidationError as error:
        raise ValidationError(error.message_dict["phone"], code="invalid_phone") from None


class PhoneCleaned:
    """For a ModelForm of User with the phone among its fields."""

    def clean_phone(self):
        return phone_clean(self.cleaned_data["phone"])


class SignInForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args, request, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        email, password = self.cleaned_data.get("email"), self.cleaned_data.get("password")
        if not email or not password:
            return self.cleaned_data
        address = client_address(self.request)
        if throttle.sign_in_blocked(email=email, address=address):
            minutes = settings.SIGN_IN_THROTTLE_MINUTES
            raise ValidationError(
                ngettext(
                    "Too many failed attempts. Please wait %(minutes)d minute or reset your password.",
                    "Too many failed attempts. Please wait %(minutes)d minutes or reset your password.",
                    minutes,
                ),
                code="throttled", params={"minutes": minutes},
            )
        self.user = authenticate(self.request, username=email, password=password)
        if self.user is None:
            raise ValidationError(_("Wrong e-mail or password."), code="invalid_login")
        return self.cleaned_data


class SignUpForm(PhoneCleaned, forms.ModelForm):
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )

    consent_personal_data = forms.BooleanField(
        label=_("I agree to the processing of my personal data"),
        error_messages={"required": _("We cannot open an account without your consent to process personal data.")},
    )
    consent_marketing_email = forms.BooleanField(label=_("Send me offers and news by e-mail"), required=False)
    consent_marketing_sms = forms.BooleanField(label=_("Send me offers and news by SMS"), required=False)

    class Meta:
        model = User
        fields = ("email", "first_name", "last_name", "phone")

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("An account with this e-mail already exists. Sign in or reset the password."))
        return email

    def _post_clean(self):
        super()._post_clean()
        password = self.cleaned_data.get("password")
        if password:
            try:
                password_validation.validate_password(password, self.instance)
            except ValidationError as error:
                self.add_error("password", error)

    def sign_up(self, request=None) -> User:
        data = self.cleaned_data
        return customer_sign_up(
            email=data["email"], password=data["password"], first_name=data["first_name"],
            last_name=data["last_name"], phone=data["phone"], marketing_email=data["consent_marketing_email"],
            marketing_sms=data["consent_marketing_sms"], request=request,
        )


class ProfileForm(PhoneCleaned, forms.ModelForm):
    class Meta:
        model = User
        fields = ("first_name", "last_name", "phone", "gender", "birth_date", "city")
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class AddressForm(forms.ModelForm):
    class Meta:
        model = Address
        fields = ("label", "city", "address", "postcode")
        widgets = {"postcode": forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{6}"})}

    def clean_postcode(self):
        postcode = self.cleaned_data["postcode"].strip()
        if postcode and not (len(postcode) == 6 and postcode.isascii() and postcode.isdigit()):
            raise ValidationError(_("Enter the six-digit postcode."))
        return postcode


class MessagePreferencesForm(forms.Form):
    marketing_email = forms.BooleanField(
        label=_("News and offers by e-mail"), required=False,
    )
    marketing_sms = forms.BooleanField(
        label=_("News and offers by SMS"), required=False,
    )
