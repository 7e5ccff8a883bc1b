"""Batch-upload templates come from the activity schema: the CSV header and the Excel
sheet have exactly the export's columns, the Excel template lists the allowed values
and offers them as drop-downs, and the activity export's header matches."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl

from app.exporters import templates
from app.schema import vocabularies as v
from app.schema.fields import file_columns
from tests.conftest import World


def test_csv_template_is_the_header_row() -> None:
    text = templates.csv_template().decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [file_columns()]


def test_xlsx_template_columns_values_and_drop_downs() -> None:
    book = openpyxl.load_workbook(io.BytesIO(templates.xlsx_template()))
    activities, allowed = book[templates.ACTIVITIES_SHEET], book[templates.ALLOWED_SHEET]
    assert [cell.value for cell in activities[1]] == file_columns()
    headings = [cell.value for cell in allowed[1]]
    assert "Activity Format" in headings
    formats = [row[0] for row in allowed.iter_rows(min_row=2, values_only=True)]
    assert [f for f in formats if f] == list(v.ACTIVITY_FORMATS.values)
    assert any(h.startswith("Delivery Methods (several") for h in headings)
    rules = activities.data_validations.dataValidation
    format_column = openpyxl.utils.get_column_letter(file_columns().index("Activity Format") + 1)
    assert any(str(rule.sqref).startswith(f"{format_column}2:") for rule in rules)
    assert all("Allowed values" in rule.formula1 for rule in rules)


def test_export_header_and_template_agree(world: World, client_for: Any) -> None:
    client = client_for(world.contact_a)
    export = client.get("/activitymodelview/export/").get_data(as_text=True)
    assert next(csv.reader(io.StringIO(export.lstrip("\ufeff")))) == file_columns()


def test_templates_download_from_the_activity_list(world: World, client_for: Any) -> None:
    client = client_for(world.contact_a)
    listing = client.get("/activitymodelview/list/").get_data(as_text=True)
    assert 'data-testid="template-xlsx"' in listing
    xlsx = client.get("/activitymodelview/template/xlsx")
    assert xlsx.status_code == 200 and xlsx.mimetype == templates_mimetype()
    assert "attachment; filename=pars-activities.xlsx" in xlsx.headers["Content-Disposition"]
    assert client.get("/activitymodelview/template/csv").data == templates.csv_template()
    assert client.get("/activitymodelview/template/pdf").status_code == 404
    assert "/login/" in client_for(None).get("/activitymodelview/template/csv").location


def templates_mimetype() -> str:
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_cli_writes_either_template(app: Any, tmp_path: Any) -> None:
    runner = app.test_cli_runner()
    for kind in ("xlsx", "csv"):
        out = tmp_path / f"template.{kind}"
        result = runner.invoke(args=["pars", "template", "--format", kind, "--out", str(out)])
        assert result.exit_code == 0, result.output
    assert (tmp_path / "template.csv").read_bytes() == templates.csv_template()
    book = openpyxl.load_workbook(tmp_path / "template.xlsx")
    assert [c.value for c in book[templates.ACTIVITIES_SHEET][1]] == file_columns()
    bad = runner.invoke(args=["pars", "template", "--format", "pdf", "--out", "x"])
    assert bad.exit_code != 0
