"""The sign-in policy read from configuration (README.md lists each setting)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from app.security.urls import public_base_url
from app.services.accounts import LinkSettings
from app.services.signin import LockoutPolicy
from app.services.signin_sessions import Limits


def link_settings(config: Mapping[str, Any]) -> LinkSettings:
    return LinkSettings(
        base_url=public_base_url(config),
        reset_lifetime=dt.timedelta(minutes=int(config.get("PARS_RESET_LINK_MINUTES", 60))),
        welcome_lifetime=dt.timedelta(hours=int(config.get("PARS_WELCOME_LINK_HOURS", 72))),
        reset_limit_per_account=str(config.get("PARS_RESET_RATE_LIMIT", "5 per hour")),
    )


def lockout_policy(config: Mapping[str, Any]) -> LockoutPolicy:
    minutes = dt.timedelta(minutes=int(config.get("PARS_LOCKOUT_MINUTES", 15)))
    return LockoutPolicy(
        failures=int(config.get("PARS_LOCKOUT_FAILURES", 5)), window=minutes, lock_for=minutes
    )


def session_limits(config: Mapping[str, Any]) -> Limits:
    return Limits(
        idle=dt.timedelta(minutes=int(config.get("PARS_SESSION_IDLE_MINUTES", 30))),
        lifetime=dt.timedelta(hours=int(config.get("PARS_SESSION_MAX_HOURS", 12))),
    )
