"""Forms check the shape of input only; rules across objects live in services.py."""

from decimal import Decimal

from django import forms

from ascru_pie.lib.forms import MoneyField

from .models import Advisor, Application, EqualityMonitoring, LivedExperience, Topic
from .services import EMAIL_TAKEN, login_email_taken


def check_contact_details(form: forms.Form, data: dict) -> None:
    """The way someone asks to be contacted must come with the details for it."""
    method = data.get("contact_method")
    if method == "email" and not data.get("email"):
        form.add_error("email", "You asked us to contact you by email: enter your email address.")
    if method == "phone" and not data.get("phone"):
        form.add_error("phone", "You asked us to contact you by phone: enter your phone number.")
    if method == "post" and not (data.get("address") and data.get("postcode")):
        form.add_error(
            "address", "You asked us to contact you by post: enter your address and postcode."
        )
    if data.get("contact_format") == "other" and not data.get("contact_format_other"):
        form.add_error("contact_format_other", "Tell us which format you would like.")


class ApplicationForm(forms.ModelForm):
    lived_experience = forms.ModelMultipleChoiceField(
        queryset=LivedExperience.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        label="Your experience of social care",
        help_text="Tick all that apply.",
        error_messages={"required": "Tick at least one kind of experience of social care."},
    )
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Topics you are interested in",
        help_text="Tick any that interest you. You can leave this blank.",
    )
    consent = forms.BooleanField(
        label="I have read the privacy notice and agree that ASCRU2 may keep and use my details as it describes.",
        error_messages={
            "required": "To apply, tick the box to say you agree to the privacy notice."
        },
    )
    # Bot trap: hidden from people (and from screen readers); bots fill it in.
    website = forms.CharField(required=False, label="Leave this empty")

    class Meta:
        model = Application
        fields = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "address",
            "postcode",
            "contact_method",
            "contact_format",
            "contact_format_other",
            "lived_experience",
            "lived_experience_detail",
            "topics",
            "availability",
            "support_needs",
            "heard_about",
        ]
        labels = {
            "first_name": "First name",
            "last_name": "Last name",
            "email": "Email address",
            "phone": "Phone number",
            "contact_method": "How would you like us to contact you?",
            "contact_format": "What format would you like information in?",
            "contact_format_other": "If other format, please tell us which",
            "lived_experience_detail": "Tell us more about your experience (optional)",
            "availability": "When are you usually available? (optional)",
            "support_needs": "Do you need any support to take part? (optional)",
            "heard_about": "How did you hear about us? (optional)",
        }
        help_texts = {
            "email": "We will send a confirmation here. Leave blank if you do not use email.",
            "support_needs": "For example: a carer with you, large-print papers, a hearing loop, "
            "step-free access, breaks, or help with technology.",
            "availability": "For example: weekday mornings, not Fridays, online only.",
        }
        widgets = {
            "contact_method": forms.RadioSelect,
            "contact_format": forms.RadioSelect,
            "address": forms.Textarea(attrs={"rows": 3}),
            "lived_experience_detail": forms.Textarea(attrs={"rows": 3}),
            "availability": forms.Textarea(attrs={"rows": 2}),
            "support_needs": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "first_name": {"required": "Enter your first name."},
            "last_name": {"required": "Enter your last name."},
            "email": {
                "invalid": "Enter an email address in the right format, like name@example.com."
            },
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        for name in ("first_name", "last_name"):
            self.fields[name].widget.attrs["autocomplete"] = (
                "given-name" if name == "first_name" else "family-name"
            )
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["address"].widget.attrs["autocomplete"] = "street-address"
        self.fields["postcode"].widget.attrs["autocomplete"] = "postal-code"

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        digits = [c for c in phone if c.isdigit()]
        if phone and (
            len(digits) < 10 or len(digits) > 13 or any(c not in "0123456789 +()-" for c in phone)
        ):
            raise forms.ValidationError(
                "Enter a phone number, like 01632 960 001 or 07700 900 982."
            )
        return phone

    def clean(self) -> dict:
        data = super().clean()
        check_contact_details(self, data)
        return data

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def details(self) -> dict:
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in {"lived_experience", "topics", "consent", "website"}
        }


class EqualityForm(forms.Form):
    """Optional equality questions, ONS-style; every one has "Prefer not to say"."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field, question, choices in EqualityMonitoring.QUESTIONS:
            self.fields[field] = forms.ChoiceField(
                label=question, choices=[("", "Not answered"), *choices.choices], required=False
            )

    def answers(self) -> dict:
        return {
            field: self.cleaned_data.get(field, "") for field, _, _ in EqualityMonitoring.QUESTIONS
        }


class ProfileForm(forms.ModelForm):
    """What an advisor may change about themselves."""

    class Meta:
        model = Advisor
        fields = [
            "email",
            "phone",
            "address",
            "postcode",
            "contact_method",
            "contact_format",
            "contact_format_other",
            "availability",
            "support_needs",
            "acknowledgement",
            "topics",
        ]
        labels = {
            "email": "Email address",
            "phone": "Phone number",
            "contact_method": "How would you like us to contact you?",
            "contact_format": "What format would you like information in?",
            "contact_format_other": "If other format, please tell us which",
            "availability": "When are you usually available?",
            "support_needs": "Support or access needs",
            "acknowledgement": "How would you like to be named in reports and papers?",
            "topics": "Topics you are interested in",
        }
        help_texts = {
            "support_needs": "Tell us anything that helps you take part. Staff will see this when they invite you.",
            "acknowledgement": "A change applies to papers and reports published from now on. "
            "Those already published keep the name they were published with.",
        }
        widgets = {
            "contact_method": forms.RadioSelect,
            "contact_format": forms.RadioSelect,
            "acknowledgement": forms.RadioSelect,
            "topics": forms.CheckboxSelectMultiple,
            "address": forms.Textarea(attrs={"rows": 3}),
            "availability": forms.Textarea(attrs={"rows": 2}),
            "support_needs": forms.Textarea(attrs={"rows": 3}),
        }

    clean_phone = ApplicationForm.clean_phone

    def clean(self) -> dict:
        data = super().clean()
        check_contact_details(self, data)
        return data


class DeclineForm(forms.Form):
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12}),
        label="Message to the applicant",
        help_text="Edit this message before sending. It is sent by email if the applicant gave an address.",
    )


class AdvisorAdminForm(forms.ModelForm):
    """The advisor record in the admin: amounts typed as people type them ("£1,200")."""

    annual_limit = MoneyField(
        label="Annual payment limit (£)",
        required=False,
        min_value=Decimal("0"),
        help_text=(
            "Optional: the most they want to be paid in a tax year (for example because of "
            "benefits). We warn before a claim would take them over it."
        ),
        error_messages={"min_value": "An annual limit cannot be less than £0.00."},
    )
    support_budget = MoneyField(
        label="Agreed annual support budget (£)",
        required=False,
        min_value=Decimal("0"),
        error_messages={"min_value": "The support budget cannot be negative."},
    )

    def clean_email(self) -> str:
        # One email per person: the sign-in email follows this one (advisor_login_email_follow),
        # so it cannot be one that another account signs in with.
        email = self.cleaned_data.get("email", "")
        user = self.instance.user if self.instance.user_id else None
        if user is not None and login_email_taken(email=email, user=user):
            raise forms.ValidationError(EMAIL_TAKEN.format(email=email), code="email_taken")
        return email

    class Meta:
        model = Advisor
        # The admin passes the fields each role sees (advisors.admin_fields).
        fields = "__all__"  # noqa: DJ007
        # Date boxes take ISO dates from the browser's own picker, as every form does.
        widgets = {
            name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            for name in ("joined_on", "status_changed_on", "left_on")
        }
        help_texts = {
            "payment_preference": (
                "How they want to be paid. Record what they told you by phone or letter; "
                "advisors with a login can also change it themselves."
            ),
        }
