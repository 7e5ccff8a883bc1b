"""Web-form fields generated from the activity schema.

Each schema field becomes one WTForms field whose validation is the schema's own
(:func:`app.schema.values.parse_value`), so a bad value in the form gets the same message,
next to the field, as the same value in a batch file.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.fieldwidgets import (
    BS3TextAreaFieldWidget,
    BS3TextFieldWidget,
    Select2ManyWidget,
    Select2Widget,
)
from flask_appbuilder.forms import DynamicForm
from markupsafe import escape
from sqlalchemy.orm import object_session
from wtforms import Field as WTField
from wtforms import SelectField, SelectMultipleField, ValidationError
from wtforms.validators import InputRequired, Optional

from app.models import CommercialSupport
from app.queries.providers import provider_choices
from app.schema import rules
from app.schema import vocabularies as v
from app.schema.fields import Field, Kind
from app.schema.values import ValueProblem, format_support, format_value, parse_value

YES_NO_CHOICES = [("", "—"), ("Yes", "Yes"), ("No", "No")]


class SchemaField(WTField):
    """A text input read and checked by the schema rules of one activity field."""

    widget = BS3TextFieldWidget()

    def __init__(self, spec: Field, **kwargs: Any) -> None:
        self.spec = spec
        self.raw = ""
        super().__init__(**kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw = valuelist[0] if valuelist else ""
        try:
            self.data = parse_value(self.spec, self.raw)
        except ValueProblem as problem:
            self.data = None
            raise ValueError(problem.message) from None

    def _value(self) -> str:
        if self.raw:
            return self.raw
        if self.data in (None, []):
            return ""
        if self.spec.kind is Kind.DATE and isinstance(self.data, dt.date):
            return self.data.isoformat()
        if self.spec.kind is Kind.SUPPORT_LIST:
            return "; ".join(format_support(s) for s in self.data)
        return str(format_value(self.spec.kind, self.data))

    def populate_obj(self, obj: Any, name: str) -> None:
        value = self.data
        if self.spec.kind is Kind.SUPPORT_LIST:
            value = [
                CommercialSupport(source=s.source, kind=s.kind, amount=s.amount)
                for s in self.data or []
            ]
        session = object_session(obj)
        if session is None:
            setattr(obj, name, value)
            return
        with session.no_autoflush:  # replacing a list loads the old one first
            setattr(obj, name, value)


class SchemaSelectField(SelectField):
    """A single choice from the field's vocabulary; blank means not given."""

    widget = Select2Widget()

    def pre_validate(self, form: Any) -> None:
        if self.data in (None, ""):
            return
        if self.data not in _allowed(self):
            raise ValidationError(f"{self.label.text}: '{self.data}' is not an allowed value.")

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        if self.data == "":
            self.data = None


class SchemaMultiSelectField(SelectMultipleField):
    """Several choices from the field's vocabulary."""

    widget = Select2ManyWidget()

    def pre_validate(self, form: Any) -> None:
        unknown = [value for value in self.data or [] if value not in _allowed(self)]
        if unknown:
            raise ValidationError(f"{self.label.text}: '{unknown[0]}' is not an allowed value.")


def _allowed(field: Any) -> set[str]:
    return {str(choice[0]) for choice in field.choices}


class YesNoField(SelectField):
    """Yes / No / not given, stored as True / False / None."""

    widget = Select2Widget()

    def process_data(self, value: Any) -> None:
        self.data = "" if value is None else ("Yes" if value else "No")

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = valuelist[0] if valuelist else ""

    def pre_validate(self, form: Any) -> None:
        if self.data not in ("", "Yes", "No"):
            raise ValidationError(f"{self.label.text}: choose Yes or No.")

    def populate_obj(self, obj: Any, name: str) -> None:
        setattr(obj, name, None if self.data == "" else self.data == "Yes")


def _help(spec: Field) -> str:
    parts = [spec.help] if spec.help else []
    if spec.required_from and spec.required_from != v.DRAFT:
        parts.append(f"Required from status {spec.required_from}.")
    return " ".join(parts)


def form_field(spec: Field) -> WTField:
    """The WTForms field of one schema field."""
    required = spec.required_from == v.DRAFT
    checks = (
        [InputRequired(message=f"{spec.label}: this field is required.")]
        if required
        else [Optional()]
    )
    common = {"label": spec.label, "description": _help(spec)}
    if spec.kind is Kind.CHOICE and spec.vocabulary is not None:
        choices = [("", "—"), *spec.vocabulary.choices()]
        return SchemaSelectField(choices=choices, validators=checks, **common)
    if spec.kind is Kind.MULTI_CHOICE and spec.vocabulary is not None:
        return SchemaMultiSelectField(choices=spec.vocabulary.choices(), **common)
    if spec.kind is Kind.BOOLEAN:
        return YesNoField(choices=YES_NO_CHOICES, **common)
    widget = BS3TextAreaFieldWidget() if spec.kind is Kind.LONG_TEXT else BS3TextFieldWidget()
    if required:
        return SchemaField(spec, validators=[_RequiredValue(spec)], widget=widget, **common)
    return SchemaField(spec, widget=widget, **common)


class _RequiredValue:
    """A schema field that must be given (Draft-required fields)."""

    def __init__(self, spec: Field) -> None:
        self.message = f"{spec.label}: this field is required."
        self.field_flags = {"required": True}

    def __call__(self, form: Any, field: Any) -> None:
        if field.data in (None, "", []) and not field.errors:
            raise ValidationError(self.message)


class EscapedErrorsForm(DynamicForm):
    """Field errors escaped before display.

    Flask-AppBuilder's form template passes each error through the template's gettext,
    which marks its result safe; an error quoting what the user typed would then be
    rendered as HTML. Escaping here makes every error plain text on the page.
    """

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for field in self._fields.values():
            field.errors = [escape(str(error)) for error in field.errors]
        return valid


def safe_form(form_class: type, *mixins: type) -> type:
    """``form_class`` with ``mixins`` and escaped errors (the outermost behaviour)."""
    return type(form_class.__name__, (EscapedErrorsForm, *mixins, form_class), {})


class ActivityForm(DynamicForm):
    """Runs the schema's cross-field rules after each field's own checks; fields that do
    not apply to the chosen provider (JA-PARS fields for a provider that is not jointly
    accredited) are neither shown, checked nor kept."""

    def validate(self, extra_validators: Any = None) -> bool:
        super().validate(extra_validators)
        self._drop_fields_that_do_not_apply()
        valid = not any(field.errors for field in self._fields.values())
        values = {name: field.data for name, field in self._fields.items()}
        for problem in rules.cross_field_problems(values):
            field = self._fields.get(problem.field)
            if field is not None and not field.errors:
                field.errors = [*list(field.errors), problem.message]
                valid = False
        return valid

    def _drop_fields_that_do_not_apply(self) -> None:
        from app.views.activity_sections import hidden_fields

        provider = getattr(self._fields.get("provider"), "data", None)
        for name in hidden_fields(getattr(provider, "kind", None)):
            field = self._fields.get(name)
            if field is not None:
                field.errors = []
                field.data = [] if isinstance(field.data, list) else None


def provider_search_field(label: str) -> QuerySelectField:
    """The provider box of a search form: the user's providers, read as light rows."""

    def choices() -> list[Any]:
        from app.extensions import db
        from app.views.datamodel import acting_user

        return provider_choices(db.session, acting_user())

    return QuerySelectField(
        label,
        query_func=choices,
        get_pk_func=lambda row: row.id,
        get_label=lambda row: f"{row.name} ({row.accme_id})",
        widget=Select2Widget(),
    )
