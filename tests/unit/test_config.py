"""Configuration from the environment; production refuses an unsafe SECRET_KEY."""

from __future__ import annotations

import importlib

import pytest

import config
from app import ConfigurationError, create_app


def test_default_database_is_sqlite_under_instance(monkeypatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert config.database_url().startswith("sqlite:///")
    assert config.database_url().endswith("instance/pars.db")


@pytest.mark.parametrize("prefix", ["postgres://", "postgresql://"])
def test_postgres_urls_use_psycopg3(monkeypatch, prefix: str) -> None:
    monkeypatch.setenv("DATABASE_URL", f"{prefix}u:p@db:5432/pars")
    assert config.database_url() == "postgresql+psycopg://u:p@db:5432/pars"


def test_production_refuses_the_development_secret(tmp_path) -> None:
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app(
            "config.ProductionConfig",
            {
                "SECRET_KEY": config.DEVELOPMENT_SECRET_KEY,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
            },
        )
    with pytest.raises(ConfigurationError):
        create_app(
            "config.ProductionConfig",
            {"SECRET_KEY": "short", "SQLALCHEMY_DATABASE_URI": "sqlite://"},
        )


PRODUCTION = {
    "SECRET_KEY": "x" * 48,
    "SERVER_NAME": "pars.example.org",
    "MAIL_SERVER": "smtp.example.org",
}


def test_production_starts_with_a_real_secret(tmp_path) -> None:
    app = create_app(
        "config.ProductionConfig",
        {**PRODUCTION, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"},
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert app.config["DEBUG"] is False


@pytest.mark.parametrize("missing", ["SERVER_NAME", "MAIL_SERVER"])
def test_production_needs_a_server_name_and_a_mail_server(tmp_path, missing) -> None:
    settings = {**PRODUCTION, missing: None, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    with pytest.raises(ConfigurationError, match=missing):
        create_app("config.ProductionConfig", settings)


def test_settings_come_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("PARS_MAX_PAGE_SIZE", "50")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.test")
    monkeypatch.setenv("PARS_ENV", "production")
    reloaded = importlib.reload(config)
    try:
        assert reloaded.Config.PARS_MAX_PAGE_SIZE == 50
        assert reloaded.Config.MAIL_SERVER == "smtp.example.test"
        assert reloaded.config_for_environment() == "config.ProductionConfig"
    finally:
        monkeypatch.undo()
        importlib.reload(config)


def test_creating_the_app_creates_no_tables(tmp_path) -> None:
    import sqlite3

    db_file = tmp_path / "empty.db"
    create_app("config.TestConfig", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}"})
    if db_file.exists():
        tables = sqlite3.connect(db_file).execute("select name from sqlite_master").fetchall()
        assert tables == []
