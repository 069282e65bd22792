import os

import pytest
from django.core.cache import cache
from django.test import Client

import tests.browser.conftest as browser
from tests.base import force_login_with_second_factor

# Playwright's sync API runs an event loop in the test thread; the ORM then refuses
# to run unless told it is safe (it is: one thread, our own loop).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# Staff pages need a second factor in the session (ascru_pie.mfa). Tests that sign someone in
# with `force_login` are about what that person may do, so every test client's force_login
# also records a code from an authenticator app; tests of two factors themselves use
# tests.base.PasswordOnlyClient or sign in through the real forms.
Client.force_login = force_login_with_second_factor


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth counts sign-in failures and used codes in the cache: start each test clean."""
    cache.clear()
    yield


# The browser tests' axe-core report (tests/browser/conftest.py). The hooks live here because
# the xdist controller loads this file but never the browser one, and only the controller
# sees every worker's scans.


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    browser.report_collect(node)


def pytest_sessionfinish(session, exitstatus) -> None:
    browser.report_write(session)


def pytest_terminal_summary(terminalreporter) -> None:
    browser.report_summary(terminalreporter)
