"""Security's system checks (`kwik check`, and `kwik check --deploy` for production).

Always, as Errors (they stop `check`, runserver and migrate): settings that can't work, such as
a CSRF header name no HTTP client can send. With `--deploy`, as Warnings: what is still weak in
production. DEBUG and SECRET_KEY are kwik's own deploy checks (kwik.W101, kwik.W102).

Ids are stable, so a project can grep for them or silence one:

- security.E001 a header name (CSRF_HEADER_NAME, API_KEY_HEADER) that isn't an HTTP token
- security.E002 a cookie name (CSRF_COOKIE_NAME, CSRF_PROTECTED_COOKIES) that isn't a token
- security.E003 the CSRF cookie is also a protected (authenticating) cookie
- security.E004 a CSRF_TRUSTED_ORIGINS entry that isn't an origin
- security.E005 an empty CSRF_FORM_FIELD
- security.W101 no HSTS; W102 HSTS for less than a year
- security.W103 CORS lets any site's pages call the API; W104 an `http://` origin is trusted
- security.W105 no TRUSTED_PROXIES
- security.W106 rate limits kept per process; W107 the same with several workers
- security.W108 CSRF checks off; W109 no Content-Security-Policy; W110 CSP only reported
- security.W111 the CSRF cookie is never Secure
"""

from __future__ import annotations

import os
import re
import shlex
from typing import Any

from kwik.checks.messages import CheckMessage, Error, Warning

__all__ = ["security_checks"]

ONE_YEAR = 365 * 24 * 3600
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
"""RFC 9110 `token`: what a header name (and, by RFC 6265, a cookie name) may be."""
_ORIGIN = re.compile(
    r"^https?://(\*\.)?([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?/?$"
)
_UNLIKELY_ORIGINS = ("https://attacker.invalid", "http://evil.example.com:8080", "null")
"""Origins no project means to trust: a CORS regex matching one matches (nearly) everything."""
_OBJ = "security"


def security_checks(*, deploy: bool = False) -> list[CheckMessage]:
    """Every finding for the loaded project's security settings; `deploy` adds production ones."""
    from kwik.conf import settings

    values = settings.group(_OBJ)
    found = _setting_errors(values)
    if deploy:
        for check in (_hsts, _cors, _proxies, _rate_limits, _csrf, _csp):
            found.extend(check(values))
    return found


# Always ----------------------------------------------------------------------------------------


def _setting_errors(values: Any) -> list[CheckMessage]:
    found = []
    for name in ("CSRF_HEADER_NAME", "API_KEY_HEADER"):
        value = getattr(values, name)
        if not _TOKEN.match(value):
            found.append(
                Error(
                    f"{name} is {value!r}, which is not a valid HTTP header name",
                    id="security.E001",
                    hint="Use letters, digits and hyphens, such as 'X-CSRF-Token'",
                    obj=_OBJ,
                )
            )
    cookies = [("CSRF_COOKIE_NAME", values.CSRF_COOKIE_NAME)]
    cookies += [("CSRF_PROTECTED_COOKIES", each) for each in values.CSRF_PROTECTED_COOKIES or ()]
    for name, value in cookies:
        if not _TOKEN.match(value):
            found.append(
                Error(
                    f"{name} holds {value!r}, which is not a valid cookie name",
                    id="security.E002",
                    hint="Use letters, digits, '-' and '_', such as 'kwik_csrf'",
                    obj=_OBJ,
                )
            )
    if values.CSRF_COOKIE_NAME in _protected_cookies(values):
        found.append(
            Error(
                f"The CSRF cookie {values.CSRF_COOKIE_NAME!r} is also a cookie that "
                "authenticates (CSRF_PROTECTED_COOKIES, or auth's session cookie): one would "
                "overwrite the other",
                id="security.E003",
                hint="Give CSRF_COOKIE_NAME a name of its own",
                obj=_OBJ,
            )
        )
    for origin in values.CSRF_TRUSTED_ORIGINS:
        if not _ORIGIN.match(origin):
            found.append(
                Error(
                    f"CSRF_TRUSTED_ORIGINS holds {origin!r}, which is not an origin",
                    id="security.E004",
                    hint="An origin is a scheme, a host and maybe a port, with no path: "
                    "'https://admin.example.com', 'https://*.example.com'",
                    obj=_OBJ,
                )
            )
    if not values.CSRF_FORM_FIELD:
        found.append(
            Error(
                "CSRF_FORM_FIELD is empty, so a form could never carry its CSRF token",
                id="security.E005",
                hint="Leave it at 'csrf_token'",
                obj=_OBJ,
            )
        )
    return found


def _protected_cookies(values: Any) -> list[str]:
    from kwik.apps import apps
    from kwik.conf import settings

    if values.CSRF_PROTECTED_COOKIES is not None:
        return list(values.CSRF_PROTECTED_COOKIES)
    if apps.is_installed("kwik.contrib.auth"):
        return [settings.AUTH_SESSION_COOKIE_NAME]
    return []


# With --deploy ---------------------------------------------------------------------------------


def _hsts(values: Any) -> list[CheckMessage]:
    seconds = values.SECURE_HSTS_SECONDS
    if not values.SECURE_HEADERS_ENABLED or seconds <= 0:
        cause = "SECURE_HEADERS_ENABLED is off" if seconds > 0 else "SECURE_HSTS_SECONDS is 0"
        return [
            Warning(
                f"No Strict-Transport-Security header ({cause}): a browser that once reached "
                "the site over HTTPS may still be sent to plain HTTP and read or changed on the "
                "way",
                id="security.W101",
                hint=f"Set SECURE_HSTS_SECONDS = {ONE_YEAR} once the whole site is on HTTPS",
                obj=_OBJ,
            )
        ]
    if seconds < ONE_YEAR:
        return [
            Warning(
                f"SECURE_HSTS_SECONDS is {seconds}, less than a year: browsers forget the "
                "HTTPS-only rule sooner, and preload lists refuse the site",
                id="security.W102",
                hint=f"Raise it to {ONE_YEAR} when HTTPS has run without trouble for a while",
                obj=_OBJ,
            )
        ]
    return []


def _matches_anything(pattern: str) -> bool:
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error:
        return False  # refused at start-up by the CORS settings' own check
    return any(compiled.fullmatch(origin) for origin in _UNLIKELY_ORIGINS)


def _cors(values: Any) -> list[CheckMessage]:
    found = []
    permissive = [o for o in values.CORS_ALLOWED_ORIGINS if o.strip() == "*"]
    permissive += [p for p in values.CORS_ALLOWED_ORIGIN_REGEXES if _matches_anything(p)]
    for entry in permissive:
        found.append(
            Warning(
                f"CORS allows every origin ({entry!r}): any site's page can call this API from "
                "its visitors' browsers and read the answers",
                id="security.W103",
                hint="List the origins of your own front ends in CORS_ALLOWED_ORIGINS",
                obj=_OBJ,
            )
        )
    trusted = [*values.CORS_ALLOWED_ORIGINS, *values.CSRF_TRUSTED_ORIGINS]
    for origin in trusted:
        if origin.strip().lower().startswith("http://"):
            found.append(
                Warning(
                    f"The origin {origin!r} is trusted (CORS_ALLOWED_ORIGINS or "
                    "CSRF_TRUSTED_ORIGINS) but served over plain HTTP: anyone on its network "
                    "path can run script as it",
                    id="security.W104",
                    hint="Trust https:// origins only in production",
                    obj=_OBJ,
                )
            )
    return found


def _proxies(values: Any) -> list[CheckMessage]:
    if values.TRUSTED_PROXIES:
        return []
    return [
        Warning(
            "TRUSTED_PROXIES is empty, so forwarded headers are never believed. Behind a load "
            "balancer or reverse proxy every client then has the proxy's address (one "
            "rate-limit bucket for everyone, logs naming the proxy), and HTTPS ended at the "
            "proxy is not seen (no HSTS, no Secure cookies)",
            id="security.W105",
            hint="List the proxies' addresses or networks in TRUSTED_PROXIES "
            "(['10.0.0.0/8']); leave it empty only when clients connect to the app directly",
            obj=_OBJ,
        )
    ]


def _workers_sign() -> str | None:
    """What says this project runs several worker processes, if anything does."""
    for name in ("WEB_CONCURRENCY", "UVICORN_WORKERS"):
        value = os.environ.get(name, "").strip()
        if value.isdigit() and int(value) > 1:
            return f"{name}={value}"
    try:
        arguments = shlex.split(os.environ.get("GUNICORN_CMD_ARGS", ""))
    except ValueError:
        return None
    for index, argument in enumerate(arguments):
        option, equals, value = argument.partition("=")
        if option in ("-w", "--workers"):
            value = value if equals else (arguments[index + 1 : index + 2] or [""])[0]
        elif option.startswith("-w") and len(option) > 2:
            value = option[2:]
        else:
            continue
        if value.isdigit() and int(value) > 1:
            return f"GUNICORN_CMD_ARGS asks for {value} workers"
    return None


def _rate_limits(values: Any) -> list[CheckMessage]:
    if not values.RATE_LIMIT_ENABLED or values.RATE_LIMIT_BACKEND != "memory":
        return []
    sign = _workers_sign()
    if sign is not None:
        return [
            Warning(
                f"Rate limits are counted in each process's memory, and this project runs "
                f"several worker processes ({sign}): every worker lets the full limit through, "
                "so clients get several times the limit, and a restart forgets every count",
                id="security.W107",
                hint="Set RATE_LIMIT_BACKEND = 'database' (the project's database, shared by "
                "every process) or 'redis' with RATE_LIMIT_REDIS_URL",
                obj=_OBJ,
            )
        ]
    return [
        Warning(
            "Rate limits are counted in this process's memory (RATE_LIMIT_BACKEND = 'memory'): "
            "with several workers or servers each lets the full limit through, and a restart "
            "forgets every count",
            id="security.W106",
            hint="Set RATE_LIMIT_BACKEND = 'database' or 'redis' in production",
            obj=_OBJ,
        )
    ]


def _csrf(values: Any) -> list[CheckMessage]:
    found = []
    if not values.CSRF_ENABLED:
        found.append(
            Warning(
                "CSRF_ENABLED is off: another site's page can make a logged-in visitor's "
                "browser post forms here, and auth leaves the decision to security",
                id="security.W108",
                hint="Turn CSRF_ENABLED back on; exempt single endpoints with @csrf_exempt",
                obj=_OBJ,
            )
        )
    if values.CSRF_COOKIE_SECURE is False:
        found.append(
            Warning(
                "CSRF_COOKIE_SECURE is False: the CSRF cookie is sent over plain HTTP too",
                id="security.W111",
                hint="Leave it None (Secure over HTTPS) or set it True",
                obj=_OBJ,
            )
        )
    return found


def _csp(values: Any) -> list[CheckMessage]:
    if not values.SECURE_HEADERS_ENABLED or values.SECURE_CONTENT_SECURITY_POLICY is None:
        cause = (
            "SECURE_HEADERS_ENABLED is off"
            if not values.SECURE_HEADERS_ENABLED
            else "SECURE_CONTENT_SECURITY_POLICY is None"
        )
        return [
            Warning(
                f"No Content-Security-Policy header ({cause}): an injected script runs with "
                "the page's full powers",
                id="security.W109",
                hint="Keep the default SECURE_CONTENT_SECURITY_POLICY and adjust its sources",
                obj=_OBJ,
            )
        ]
    if values.SECURE_CSP_REPORT_ONLY:
        return [
            Warning(
                "SECURE_CSP_REPORT_ONLY is on: Content-Security-Policy violations are "
                "reported, not blocked",
                id="security.W110",
                hint="Turn it off once the reports show the policy fits the site",
                obj=_OBJ,
            )
        ]
    return []
