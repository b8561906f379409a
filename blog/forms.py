"""Forms readers fill in: the warning gate and the reading-preferences page."""

from django import forms

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
