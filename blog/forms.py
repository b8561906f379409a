"""Forms readers fill in: the warning gate, the reading-preferences page, the search box."""

from django import forms

from blog import search
from blog.http import strip_control
from blog.models import ContentWarning


class GateForm(forms.Form):
    remember_topics = forms.BooleanField(
        required=False, label="Don't warn me again about these topics"
    )


class WarningChoiceField(forms.ModelMultipleChoiceField):
    """Warnings by id; ids no database could hold are refused before any query."""

    def _check_values(self, value):
        for pk in value:
            if not str(pk).isdigit() or not 0 < int(pk) < 2**63:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice",
                    params={"value": str(pk)[:20]},
                )  # fmt: skip
        return super()._check_values(value)


class PreferencesForm(forms.Form):
    skip_gate = WarningChoiceField(
        queryset=ContentWarning.objects.filter(gates=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Open essays with these warnings without a warning screen",
        help_text="The warning is still listed at the top of the essay.",
    )
    hide = WarningChoiceField(
        queryset=ContentWarning.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Hide essays with these warnings from the essay lists",
        help_text=("If you follow a link to such an essay, you will see the warning screen first."),
    )
    forget_essays = forms.BooleanField(
        required=False,
        label="Show the warning screen again for essays I have already chosen to read",
    )


SEARCH_MAX_LENGTH = 200


class SearchForm(forms.Form):
    """The search box. Whatever was typed comes back in the box, with what to change."""

    q = forms.CharField(
        label="Search essays",
        max_length=SEARCH_MAX_LENGTH,
        strip=True,
        error_messages={
            "required": "Type a word or two to search for.",
            "max_length": "Searches are limited to %(limit_value)d characters; "
            "this one has %(show_value)d. Try a few distinctive words.",
            "null_characters_not_allowed": "The search contains a character that cannot "
            "be searched for (a null byte). Remove it and try again.",
        },
        widget=forms.TextInput(attrs={"type": "search", "enterkeyhint": "search"}),
    )

    def clean_q(self):
        query = self.cleaned_data["q"]
        if strip_control(query) != query:
            raise forms.ValidationError(
                "The search contains control characters. Remove them and try again."
            )
        if not search.terms(query):
            raise forms.ValidationError(
                "Searches need at least one letter or number; punctuation alone matches nothing."
            )
        return query
