"""The forms of the accreditation review pages (each step's rules are in the services)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from app.schema import vocabularies as v


class StepForm(FlaskForm):
    """A button: only the CSRF token."""


class OpenReviewForm(FlaskForm):
    provider = SelectField(_("Provider"), coerce=int)
    cycle = SelectField(_("Cycle"), choices=v.REVIEW_CYCLES.choices())
    intent_due = DateField(
        _("Confirmation of Intent due (reaccreditation)"), validators=[Optional()]
    )
    materials_due = DateField(_("Materials due"), validators=[InputRequired()])


class IntentForm(FlaskForm):
    attests = BooleanField(
        _(
            "We continue to follow the accreditation criteria, the Standards for Integrity "
            "and Independence and the accreditation policies, and intend to seek "
            "reaccreditation."
        )
    )


class MaterialForm(FlaskForm):
    kind = SelectField(_("What is it?"), choices=v.MATERIAL_KINDS.choices())
    review_activity_id = SelectField(
        _("Activity (for performance-in-practice evidence)"), coerce=str, validate_choice=False
    )
    file = FileField(_("File"), validators=[FileRequired(_("Choose a file to upload."))])
    description = StringField(_("Description (optional)"), validators=[Length(max=500)])


class InterviewForm(FlaskForm):
    interview_on = DateField(_("Interview date"), validators=[InputRequired()])


class ReturnForm(FlaskForm):
    reason = TextAreaField(
        _("What the provider needs to add or change"), validators=[Length(max=2000)]
    )


class AssignForm(FlaskForm):
    user_id = SelectField(_("Volunteer surveyor"), coerce=str, validate_choice=False)


class PickForm(FlaskForm):
    activity_ids = SelectMultipleField(
        _("Activities of the term"), coerce=int, validate_choice=False
    )


class DeclareForm(FlaskForm):
    has_conflict = RadioField(
        _("Conflicts of interest"),
        choices=[
            ("no", _("I have no conflict of interest with this provider.")),
            ("yes", _("I have a conflict of interest: take me off this review.")),
        ],
        default="no",
    )
    conflict_note = TextAreaField(_("Describe the conflict"), validators=[Length(max=2000)])


class FindingForm(FlaskForm):
    criterion_id = HiddenField()
    version_id = IntegerField(validators=[Optional()])
    finding = SelectField(_("Finding"), choices=[("", "—"), *v.FINDINGS.choices()])
    rationale = TextAreaField(_("Rationale"), validators=[Length(max=5000)])


class CommentForm(FlaskForm):
    body = TextAreaField(_("Comment"), validators=[Length(max=5000)])


class ReviewDecisionForm(FlaskForm):
    outcome = SelectField(_("Outcome"), choices=v.ACCREDITATION_STATUSES.choices())
    decided_on = DateField(_("Decision date"), validators=[InputRequired()])
    notes = TextAreaField(_("Notes"), validators=[Length(max=5000)])
