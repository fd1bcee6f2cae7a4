from django import forms
from django.utils.translation import gettext_lazy as _

from reviews.models import RATING_CHOICES, TEXT_MAX_LENGTH


class ReviewForm(forms.Form):
    """The shopper's side of a review; what makes it acceptable is reviews.services.review_submit's."""

    rating = forms.TypedChoiceField(
        label=_("Your rating"), choices=[(value, "★" * value) for value, _label in RATING_CHOICES], coerce=int,
        widget=forms.RadioSelect, error_messages={"required": _("Choose a rating from 1 to 5 stars.")},
    )
    text = forms.CharField(
        label=_("Your review"), max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": _("What did you like, what did you not? "
                                                                   "How do you use it?")}),
    )
