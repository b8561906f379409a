from django import forms

from blog.forms import WarningChoiceField
from blog.models import ContentWarning
from comments.forms import CleanEmailField
from subscriptions.services import deliverable

UNUSUAL_ADDRESS = (
    "Please enter a plain address, like name@example.org: we do not send to addresses with "
    "quotes, brackets or spaces."
)


class EssaySubscriptionForm(forms.Form):
    email = CleanEmailField(
        label="Your email address",
        max_length=254,
        help_text="Never shown to anyone. We send one email to confirm it first.",
        error_messages={
            "required": "Please enter your email address.",
            "invalid": "Please enter a valid email address, like name@example.org.",
            "max_length": "Please keep your email address to 254 characters or fewer.",
        },
    )
    skip_warnings = WarningChoiceField(
        label="Leave out essays with these warnings",
        queryset=ContentWarning.objects.order_by("display_order", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="An essay carrying any warning you tick is not emailed to you; it is still "
        "on the site.",
        error_messages={"invalid_choice": "Some choices were not recognised; please choose "
                        "again from the list.", "invalid_pk_value": "Some choices were not "
                        "recognised; please choose again from the list."},
    )  # fmt: skip

    def clean_email(self):
        email = self.cleaned_data["email"]
        if not deliverable(email.lower()):
            raise forms.ValidationError(UNUSUAL_ADDRESS, code="unusual")
        return email
