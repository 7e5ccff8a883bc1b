"""Where PARS sends people: links in emails and redirects after sign-in.

Links in emails are built from the configured ``SERVER_NAME`` and
``PREFERRED_URL_SCHEME``, never from the request's ``Host`` or ``X-Forwarded-Host``
(a forged host would otherwise receive someone's reset token). Redirects after sign-in
go to a path on this site, or to a host listed in ``FAB_SAFE_REDIRECT_HOSTS``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit


def public_base_url(config: Mapping[str, Any]) -> str:
    """The site's address as configured, e.g. ``https://pars.example.org``."""
    server = config.get("SERVER_NAME")
    if not server:
        return str(config.get("PARS_DEVELOPMENT_URL", "http://127.0.0.1:8080"))
    scheme = config.get("PREFERRED_URL_SCHEME") or "https"
    root = (config.get("APPLICATION_ROOT") or "/").rstrip("/")
    return f"{scheme}://{server}{root}"


def safe_next(target: str | None, allowed_hosts: Iterable[str] = ()) -> str | None:
    """``target`` if it is a safe place to send a user after sign-in, else None.

    Safe: a path on this site (``/activities/list/``), or an http(s) address on one of
    ``allowed_hosts``. Refused: other hosts (``https://evil.example``), scheme-relative
    (``//evil.example``) and backslash tricks (``/\\evil.example``), a scheme without a
    host (``https:evil.example``), and any control character.
    """
    if not target or len(target) > 2000:
        return None
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        if (
            parts.scheme in ("http", "https")
            and parts.netloc
            and parts.netloc in set(allowed_hosts)
        ):
            return target
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    return target
