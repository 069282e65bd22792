import os

import pytest

import tests.browser.conftest as browser

# Playwright's sync API runs an event loop in the test thread; the ORM then refuses
# to run unless told it is safe (it is: one thread, our own loop).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


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
