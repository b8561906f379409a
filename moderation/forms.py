"""The reader's report form."""

from django import forms

from comments.forms import CleanTextField
from moderation.models import Report

NOTE_LIMIT = 500


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label="What is wrong with this comment?",
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Please choose what is wrong with this comment.",
            "invalid_choice": "Please choose one of the reasons listed.",
        },
    )
    note = CleanTextField(
        label="Anything a moderator should know (optional)",
        single_line=False,
        required=False,
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 50}),
        help_text=f"Up to {NOTE_LIMIT} characters. Moderators read it; nobody sees who sent it.",
        error_messages={
            "max_length": f"Please keep your note to {NOTE_LIMIT} characters or fewer "
            "(it has %(show_value)s)."
        },
    )
