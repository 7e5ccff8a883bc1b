"""Where PARS sends people (app.security.urls): links in emails come from configuration,
never from the request; redirects after sign-in stay on this site or an allowed host."""

from __future__ import annotations

from typing import Any

import pytest

from app.security.urls import public_base_url, safe_next


@pytest.mark.parametrize(
    ("config", "url"),
    [
        pytest.param({}, "http://127.0.0.1:8080", id="no SERVER_NAME: development address"),
        pytest.param(
            {"PARS_DEVELOPMENT_URL": "http://localhost:5000"},
            "http://localhost:5000",
            id="development address as configured",
        ),
        pytest.param(
            {"SERVER_NAME": "pars.example.org"},
            "https://pars.example.org",
            id="https unless told otherwise",
        ),
        pytest.param(
            {"SERVER_NAME": "pars.example.org", "PREFERRED_URL_SCHEME": "http"},
            "http://pars.example.org",
            id="configured scheme",
        ),
        pytest.param(
            {"SERVER_NAME": "pars.example.org:8443", "PREFERRED_URL_SCHEME": "https"},
            "https://pars.example.org:8443",
            id="port kept",
        ),
        pytest.param(
            {"SERVER_NAME": "pars.example.org", "APPLICATION_ROOT": "/"},
            "https://pars.example.org",
            id="root application: no trailing slash",
        ),
        pytest.param(
            {"SERVER_NAME": "pars.example.org", "APPLICATION_ROOT": "/pars"},
            "https://pars.example.org/pars",
            id="under a path",
        ),
        pytest.param(
            {"SERVER_NAME": "pars.example.org", "APPLICATION_ROOT": "/pars/"},
            "https://pars.example.org/pars",
            id="under a path with a trailing slash",
        ),
        pytest.param(
            {"SERVER_NAME": "", "PARS_DEVELOPMENT_URL": "http://dev.example"},
            "http://dev.example",
            id="empty SERVER_NAME counts as unset",
        ),
    ],
)
def test_public_base_url(config: dict[str, Any], url: str) -> None:
    assert public_base_url(config) == url


def test_public_base_url_from_the_app_config(app) -> None:
    """The test app has no SERVER_NAME: links point at the development address."""
    assert public_base_url(app.config) == app.config["PARS_DEVELOPMENT_URL"]


SAFE = [
    "/",
    "/activities/list/",
    "/activities/list/?page_ActivityModelView=2&psize_ActivityModelView=25",
    "/providermodelview/show/12#contacts",
    "/search?q=https://evil.example",
    "/%0d%0aSet-Cookie:%20a=b",
    "/%5Cevil.example",
]


@pytest.mark.parametrize("target", SAFE)
def test_paths_on_this_site_are_safe(target: str) -> None:
    """A path on this site is returned exactly as given (percent-encoded characters stay
    encoded: they are part of a path, not a header or a host)."""
    assert safe_next(target) == target


def test_percent_encoded_line_break_stays_a_relative_path() -> None:
    result = safe_next("/%0d%0aSet-Cookie")
    assert result == "/%0d%0aSet-Cookie"
    assert result.startswith("/") and not result.startswith("//")
    assert "\r" not in result and "\n" not in result


@pytest.mark.parametrize(
    "target",
    [
        pytest.param("https://evil.example", id="another host"),
        pytest.param("https://evil.example/activities/list/", id="another host with a path"),
        pytest.param("http://evil.example", id="another host over http"),
        pytest.param("//evil.example", id="scheme-relative"),
        pytest.param("///evil.example", id="triple slash"),
        pytest.param("/\\evil.example", id="slash backslash"),
        pytest.param("\\\\evil.example", id="double backslash"),
        pytest.param("/\\/evil.example", id="slash backslash slash"),
        pytest.param("https:evil.example", id="scheme without host"),
        pytest.param("https:/evil.example", id="scheme with one slash"),
        pytest.param("javascript:alert(1)", id="javascript"),
        pytest.param("JavaScript:alert(1)", id="javascript in capitals"),
        pytest.param("data:text/html,<script>alert(1)</script>", id="data"),
        pytest.param("\t/evil", id="leading tab"),
        pytest.param("/\t/evil.example", id="tab between slashes"),
        pytest.param("/\r\nSet-Cookie: a=b", id="raw CRLF"),
        pytest.param("/\x00", id="NUL"),
        pytest.param("/\x7f", id="DEL"),
        pytest.param(" //evil.example", id="leading space then scheme-relative"),
        pytest.param(" https://evil.example", id="leading space then another host"),
        pytest.param("activities/list/", id="relative without a leading slash"),
        pytest.param("https://pars.example.org@evil.example/", id="allowed host as user info"),
        pytest.param("", id="empty"),
        pytest.param(None, id="none"),
        pytest.param("/" + "a" * 2000, id="over 2000 characters"),
    ],
)
def test_unsafe_targets_are_refused(target: str | None) -> None:
    """Other hosts, scheme-relative and backslash tricks, a scheme without a host,
    control characters, nothing and over-long targets give None."""
    assert safe_next(target, ["pars.example.org"]) is None


def test_a_target_of_2000_characters_is_still_fine() -> None:
    target = "/" + "a" * 1999
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [
        "https://pars.example.org/activities/list/",
        "http://pars.example.org/",
        "https://reports.example.org/summary?year=2025",
    ],
)
def test_allowed_hosts_pass(target: str) -> None:
    assert safe_next(target, ["pars.example.org", "reports.example.org"]) == target


@pytest.mark.parametrize(
    "target",
    [
        "https://pars.example.org.evil.example/",
        "https://evil.example/pars.example.org",
        "ftp://pars.example.org/file",
        "javascript://pars.example.org/%0aalert(1)",
        "https://sub.pars.example.org/",
    ],
)
def test_allowed_host_must_match_exactly_over_http(target: str) -> None:
    """Only http(s) to exactly a listed host: look-alike hosts, other schemes and
    subdomains are refused."""
    assert safe_next(target, ["pars.example.org"]) is None


def test_no_allowed_hosts_means_paths_only() -> None:
    assert safe_next("https://pars.example.org/") is None
    assert safe_next("https://pars.example.org/", []) is None
