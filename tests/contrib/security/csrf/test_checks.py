"""`kwik check --deploy` on security's settings (and auth's password-reset sender): a safe
production settings file passes cleanly; each weak setting gives its warning, each broken one
its error, and the exit code follows `--fail-level`.

The real `kwik` command runs for the whole-project behaviours; each setting's own finding is
shown in process, one setting at a time, so every case stays fast.
"""

from __future__ import annotations

import pytest

import kwik
from tests.support import Project, run_kwik

SECRET_KEY = "x7Hq2-production-grade-random-secret-key-with-plenty-of-entropy-9f8e7d6c"
SAFE: dict[str, object] = {
    "SECRET_KEY": SECRET_KEY,
    "INSTALLED_APPS": ["kwik.contrib.auth", "kwik.contrib.security"],
    "PASSWORD_RESET_SENDER": "kwik.contrib.auth.senders:MemorySender",
    "TRUSTED_PROXIES": ["10.0.0.0/8"],
    "RATE_LIMIT_BACKEND": "database",
    "CORS_ALLOWED_ORIGINS": ["https://app.example"],
    "CSRF_TRUSTED_ORIGINS": ["https://admin.example"],
}
WEAK: dict[str, object] = {
    "SECURE_HSTS_SECONDS": 0,
    "CORS_ALLOWED_ORIGINS": ["*", "http://app.example"],
    "TRUSTED_PROXIES": [],
    "RATE_LIMIT_BACKEND": "memory",
    "CSRF_ENABLED": False,
    "CSRF_COOKIE_SECURE": False,
    "SECURE_CONTENT_SECURITY_POLICY": None,
    "PASSWORD_RESET_SENDER": "kwik.contrib.auth.senders:ConsoleSender",
}


def write_project(project: Project, **changes: object) -> None:
    values = {**SAFE, **changes}
    project.settings(
        "".join(f"{name} = {value!r}\n" for name, value in values.items()), debug=False
    )
    project.pyproject("proj.settings")


def ids_in(output: str, prefix: str = "security.") -> set[str]:
    import re

    return set(re.findall(rf"\(({re.escape(prefix)}[EW]\d+)\)", output))


@pytest.mark.slow
def test_safe_production_settings_pass_the_deploy_check_with_no_issue(project):
    write_project(project)
    assert run_kwik("migrate", cwd=project.root).returncode == 0

    result = run_kwik("check", "--deploy", "--fail-level", "WARNING", cwd=project.root)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues." in result.stdout


@pytest.mark.slow
def test_weak_settings_each_give_their_warning_without_failing_the_check(project):
    write_project(project, **WEAK)

    result = run_kwik("check", "--deploy", cwd=project.root, env={"WEB_CONCURRENCY": "1"})

    assert result.returncode == 0, result.stderr
    found = ids_in(result.stdout)
    assert found == {
        "security.W101",
        "security.W103",
        "security.W104",
        "security.W105",
        "security.W106",
        "security.W108",
        "security.W109",
        "security.W111",
    }
    assert "(auth.W002)" in result.stdout
    assert "one rate-limit bucket for everyone" in result.stdout
    assert "(kwik.W101)" not in result.stdout  # DEBUG is off; core's own check stays core's


@pytest.mark.slow
def test_warnings_fail_the_check_at_fail_level_warning(project):
    write_project(project, TRUSTED_PROXIES=[])

    result = run_kwik("check", "--deploy", "--fail-level", "WARNING", cwd=project.root)

    assert result.returncode == 1
    assert "(security.W105)" in result.stderr


@pytest.mark.slow
def test_broken_settings_are_errors_even_without_deploy(project):
    write_project(project, CSRF_HEADER_NAME="X CSRF Token", CSRF_TRUSTED_ORIGINS=["admin.example"])

    result = run_kwik("check", cwd=project.root)

    assert result.returncode == 1
    assert ids_in(result.stderr) == {"security.E001", "security.E004"}
    assert "'X CSRF Token'" in result.stderr


def findings(project: Project, deploy: bool = True, **changes: object) -> dict[str, str]:
    """Security's and auth's findings for the safe settings with `changes`, by id."""
    from kwik.apps import apps

    write_project(project, **changes)
    kwik.setup("proj.settings")
    found = [
        *apps.get_app_config("security").check(deploy=deploy),
        *apps.get_app_config("auth").check(deploy=deploy),
    ]
    return {message.id: message.msg for message in found}


def test_the_safe_settings_have_no_finding(project, monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)

    assert findings(project) == {}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"SECURE_HSTS_SECONDS": 0}, "security.W101", id="no hsts"),
        pytest.param({"SECURE_HSTS_SECONDS": 3600}, "security.W102", id="hsts for an hour"),
        pytest.param({"CORS_ALLOWED_ORIGINS": ["*"]}, "security.W103", id="cors any origin"),
        pytest.param(
            {"CORS_ALLOWED_ORIGIN_REGEXES": [r"https?://.*"]}, "security.W103", id="cors regex"
        ),
        pytest.param(
            {"CORS_ALLOWED_ORIGINS": ["http://app.example"]}, "security.W104", id="cors http"
        ),
        pytest.param(
            {"CSRF_TRUSTED_ORIGINS": ["http://admin.example"]}, "security.W104", id="csrf http"
        ),
        pytest.param({"TRUSTED_PROXIES": []}, "security.W105", id="no trusted proxies"),
        pytest.param({"RATE_LIMIT_BACKEND": "memory"}, "security.W106", id="memory backend"),
        pytest.param({"CSRF_ENABLED": False}, "security.W108", id="csrf off"),
        pytest.param({"SECURE_CONTENT_SECURITY_POLICY": None}, "security.W109", id="no csp"),
        pytest.param({"SECURE_CSP_REPORT_ONLY": True}, "security.W110", id="csp report-only"),
        pytest.param({"CSRF_COOKIE_SECURE": False}, "security.W111", id="csrf cookie insecure"),
        pytest.param(
            {"PASSWORD_RESET_SENDER": "kwik.contrib.auth.senders:ConsoleSender"},
            "auth.W002",
            id="console password reset sender",
        ),
    ],
)
def test_each_weak_setting_gives_its_own_warning(project, monkeypatch, changes, expected):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)

    assert set(findings(project, **changes)) == {expected}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"CSRF_HEADER_NAME": "X-CSRF:Token"}, "security.E001", id="header name"),
        pytest.param({"API_KEY_HEADER": ""}, "security.E001", id="empty api key header"),
        pytest.param({"CSRF_COOKIE_NAME": "csrf token"}, "security.E002", id="cookie name"),
        pytest.param(
            {"CSRF_PROTECTED_COOKIES": ["session;x"]}, "security.E002", id="protected cookie"
        ),
        pytest.param(
            {"CSRF_COOKIE_NAME": "kwik_session"}, "security.E003", id="csrf cookie is the session"
        ),
        pytest.param(
            {"CSRF_TRUSTED_ORIGINS": ["https://admin.example/path"]},
            "security.E004",
            id="origin with a path",
        ),
        pytest.param({"CSRF_FORM_FIELD": ""}, "security.E005", id="empty form field"),
    ],
)
def test_each_broken_setting_is_an_error_without_deploy(project, changes, expected):
    assert set(findings(project, deploy=False, **changes)) == {expected}


def test_security_headers_off_report_both_hsts_and_csp_missing(project):
    found = findings(project, SECURE_HEADERS_ENABLED=False)

    assert set(found) == {"security.W101", "security.W109"}
    assert all("SECURE_HEADERS_ENABLED is off" in message for message in found.values())


def test_the_memory_backend_is_not_reported_when_rate_limits_are_off(project, monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "4")

    assert findings(project, RATE_LIMIT_BACKEND="memory", RATE_LIMIT_ENABLED=False) == {}


@pytest.mark.parametrize(
    "environment",
    [
        pytest.param({"WEB_CONCURRENCY": "4"}, id="web concurrency"),
        pytest.param({"UVICORN_WORKERS": "3"}, id="uvicorn workers"),
        pytest.param({"GUNICORN_CMD_ARGS": "--bind 0.0.0.0 -w 4"}, id="gunicorn -w"),
        pytest.param({"GUNICORN_CMD_ARGS": "--workers=2"}, id="gunicorn --workers="),
    ],
)
def test_other_signs_of_several_workers_give_the_stronger_warning(
    project, monkeypatch, environment
):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    found = findings(project, RATE_LIMIT_BACKEND="memory")

    assert set(found) == {"security.W107"}
    assert "several worker processes" in found["security.W107"]


def test_with_debug_on_the_console_sender_is_fine(project):
    from kwik.apps import apps

    values = {**SAFE, "PASSWORD_RESET_SENDER": "kwik.contrib.auth.senders:ConsoleSender"}
    project.settings("".join(f"{name} = {value!r}\n" for name, value in values.items()))
    kwik.setup("proj.settings")

    assert apps.get_app_config("auth").check(deploy=True) == []
