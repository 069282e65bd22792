"""Browser test harness: headless Debian Chromium driven by Playwright, axe-core scans.

- One browser per session (`browser`), a fresh context and page per test (`page`).
- Missing Chromium or axe-core: the tests are skipped with the reason in the `-ra`
  summary, or fail when REQUIRE_BROWSER=1 (set it in CI so a skip cannot pass unnoticed).
- ASCRU_CHROMIUM overrides the browser path (default /usr/bin/chromium), e.g. to check
  the skip path: `ASCRU_CHROMIUM=/nonexistent pytest tests/browser -rs`.
- Every scan saves a full-page screenshot to test-artifacts/screenshots/<name>.png, and
  test-artifacts/axe-report.json lists every scan and its violations at the end of the run.
  Scan names are unique, so that no screenshot overwrites another (the summary says if one did).
- Under pytest-xdist each worker process has its own browser (with its own temporary
  profile), live server port and test database; the workers send their scans to the
  controller, which alone writes the report and prints the summary.

Never run `playwright install`: it downloads a browser, and we use the Debian one.
"""

from __future__ import annotations

import io
import json
import os
import re
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO_ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE_REPORT = ARTIFACTS / "axe-report.json"

CHROMIUM = os.environ.get("ASCRU_CHROMIUM", "/usr/bin/chromium")
# Playwright adds --headless itself and gives every launch a fresh temporary profile
# (--user-data-dir=/tmp/playwright_chromiumdev_profile-*); it refuses --user-data-dir
# in `args`, so it is not passed here.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1280, "height": 900}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

BROWSER_DIR = Path(__file__).resolve().parent

# Every scan of the session, written to AXE_REPORT at the end.
_scans: list[dict] = []


# --- collection ---------------------------------------------------------------------


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


# --- browser ------------------------------------------------------------------------


def _missing() -> list[str]:
    missing = []
    if not Path(CHROMIUM).is_file():
        missing.append(f"{CHROMIUM} not found (apt-get install chromium)")
    if not AXE_JS.is_file():
        missing.append(f"{AXE_JS.relative_to(REPO_ROOT)} not found (npm ci)")
    return missing


@pytest.fixture(scope="session")
def browser():
    missing = "; ".join(_missing())
    if missing:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {missing}", pytrace=False)
        pytest.skip(f"browser tests skipped: {missing}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # A browser that is installed but will not start is a real failure, never a skip.
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(browser):
    """Factory for extra pages with their own context, e.g. another viewport."""
    contexts = []

    def make(**context_options):
        context = browser.new_context(**{"viewport": VIEWPORT, **context_options})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


# --- data ---------------------------------------------------------------------------


@pytest.fixture
def demo_users(transactional_db):
    """The demo users of `manage.py seed_demo`, password ascru_pie.demo.DEMO_PASSWORD.

    The role groups come from a data migration. A transactional test flushes the
    database afterwards; post_migrate (ascru_pie.apps) puts the groups back, but sync
    them here too so these tests never depend on what ran before.
    """
    from django.contrib.auth.models import Group, Permission

    from ascru_pie import demo
    from ascru_pie.roles import roles_sync

    roles_sync(group_model=Group, permission_model=Permission)
    return demo.seed(stdout=io.StringIO())


@pytest.fixture
def lookups(transactional_db):
    """The lived-experience types and topics of the data migration advisors/0002_lookups.

    A transactional test flushes the database afterwards, taking the migration's rows
    with it, so put them back (idempotently) with the migration's own code.
    """
    import importlib

    from django.apps import apps

    importlib.import_module("advisors.migrations.0002_lookups").forwards(apps, None)
    # And the UK Standards for Public Involvement (impacts/0002_standards), for the same reason.
    importlib.import_module("impacts.migrations.0002_standards").forwards(apps, None)


@pytest.fixture
def register(lookups, demo_users):
    """The demo register: ~30 advisors (Ada Advisor is the "advisor" login) and 12 applications."""
    from advisors import demo

    demo.seed(stdout=io.StringIO())
    return demo_users


# --- helpers ------------------------------------------------------------------------


def login(page, live_server, username: str, password: str) -> None:
    """Sign in through the login form, as a person would, and wait for the landing page.

    Staff also type the code their authenticator app shows: demo staff have the fixed demo
    secret (`seed_demo` gives it only with DEBUG on, so it is given here)."""
    _give_demo_staff_their_app(username)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    if "/accounts/2fa/authenticate/" in page.url:
        page.get_by_label("Code").fill(_fresh_demo_code(username))
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()


def _give_demo_staff_their_app(username: str) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    from ascru_pie.accounts import is_staff_member
    from ascru_pie.mfa import demo_totp_secret
    from ascru_pie.models import User

    user = User.objects.filter(username=username).first()
    if user is None or not is_staff_member(user):
        return
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, demo_totp_secret(username))


def _fresh_demo_code(username: str) -> str:
    """The current code; allauth takes each code once, so forget an earlier use of it (the
    live server shares this process's cache) for tests that sign in twice in 30 seconds."""
    from django.core.cache import cache

    from ascru_pie.mfa import demo_totp_code
    from ascru_pie.models import User

    # A code typed in the last seconds of its 30-second window is checked in the next one
    # (allauth allows no drift by default): wait for a fresh window instead.
    if time.time() % 30 > 26:
        time.sleep(30.5 - time.time() % 30)
    code = demo_totp_code(username)
    user_id = User.objects.get(username=username).pk
    cache.delete(f"allauth.mfa.totp.used?user={user_id}&code={code}")
    return code


def h1(page) -> str:
    """The page's one and only h1, as text."""
    assert page.locator("h1").count() == 1
    return page.get_by_role("heading", level=1).inner_text()


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "page"


def _scan(page, name: str, kind: str) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    violations = result["violations"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{_safe_name(name)}.png"
    page.screenshot(path=str(shot), full_page=True)
    _scans.append(
        {
            "name": name,
            "kind": kind,
            "url": page.url,
            "screenshot": str(shot.relative_to(REPO_ROOT)),
            "violations": [
                {
                    "id": v["id"],
                    "impact": v.get("impact"),
                    "help": v["help"],
                    "helpUrl": v.get("helpUrl"),
                    "targets": [n["target"] for n in v["nodes"]],
                }
                for v in violations
            ],
        }
    )
    return violations


def axe_scan(page, name: str) -> list[dict]:
    """Run axe-core (WCAG 2.0/2.1 A and AA, 2.2 AA) here, save a screenshot, return violations."""
    return _scan(page, name, "project")


def format_violations(violations: list[dict], max_nodes: int = 3) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']} [{len(v['nodes'])} node(s)]")
        for node in v["nodes"][:max_nodes]:
            # failureSummary is "Fix any/all of the following:" and then one line per check.
            why = (node.get("failureSummary") or "").strip().splitlines()[1:2] or [""]
            lines.append(f"    {', '.join(map(str, node['target']))}: {why[0].strip()}")
            lines.append(f"      {node.get('html', '')[:160]}")
        if len(v["nodes"]) > max_nodes:
            lines.append(f"    ... and {len(v['nodes']) - max_nodes} more")
    return "\n".join(lines)


def assert_no_axe_violations(page, name: str) -> None:
    violations = axe_scan(page, name)
    if violations:
        pytest.fail(
            f"{len(violations)} axe violation(s) on {name} ({page.url}):\n"
            f"{format_violations(violations)}",
            pytrace=False,
        )


def admin_axe_report(page, name: str) -> list[dict]:
    """Scan a Django admin page; report, never fail: Django 5.2's admin has known issues."""
    violations = _scan(page, name, "admin")
    ids = ", ".join(sorted({v["id"] for v in violations})) or "-"
    print(f"admin page {name}: {len(violations)} axe violations (Django's own): rule ids {ids}")
    return violations


# --- readable: control contrast (WCAG 1.4.11), reflow (1.4.10), visible focus (2.4.7) ---

# Runs in the page: every visible form control, the colour that marks its edge and the
# colour behind it, composited from the nearest ancestors with a background.
_CONTROL_COLOURS_JS = r"""
() => {
  const parse = (c) => {
    const m = (c || "").match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const over = (top, under) => ({
    r: top.r * top.a + under.r * (1 - top.a),
    g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a),
    a: 1,
  });
  // The colour behind el (not its own): ancestors' backgrounds over white, top layer first.
  const behind = (el) => {
    const layers = [];
    for (let n = el.parentElement; n; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    let colour = {r: 255, g: 255, b: 255, a: 1};
    for (let i = layers.length - 1; i >= 0; i--) colour = over(layers[i], colour);
    return colour;
  };
  const describe = (el) => {
    const label = (el.labels && el.labels[0] && el.labels[0].innerText.trim()) ||
      el.getAttribute("aria-label") || el.name || el.id || "";
    const kind = el.tagName.toLowerCase() + (el.type && el.tagName === "INPUT" ? `[type=${el.type}]` : "");
    return `${kind} ${el.id ? "#" + el.id : ""} "${label.slice(0, 60)}"`.replace(/\s+/g, " ");
  };
  const skipTypes = ["hidden", "submit", "button", "reset", "image"];
  const out = [];
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.tagName === "INPUT" && skipTypes.includes(el.type)) continue;
    // WCAG 1.4.11 does not cover inactive (disabled) controls.
    if (el.disabled) continue;
    const cs = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    // Not shown, or shown only to assistive technology (e.g. Bootstrap's .btn-check,
    // whose label is the visible control): nothing to see.
    if (!el.getClientRects().length || cs.visibility === "hidden" || cs.display === "none") continue;
    if (rect.width <= 2 || rect.height <= 2 || cs.clip === "rect(0px, 0px, 0px, 0px)") continue;
    if (Number(cs.opacity) === 0) continue;
    const back = behind(el);
    const own = parse(cs.backgroundColor) || {r: 0, g: 0, b: 0, a: 0};
    const edges = [];
    const nativeMark = ["checkbox", "radio"].includes(el.type) && cs.appearance !== "none";
    if (nativeMark) {
      // A native box is drawn by the browser: in its accent colour when one is set,
      // otherwise Chromium's default edge, #767676.
      const accent = parse(cs.accentColor);
      edges.push({what: accent ? "accent-color" : "native edge (#767676)",
                  colour: accent || {r: 118, g: 118, b: 118, a: 1}});
    } else {
      for (const side of ["Top", "Right", "Bottom", "Left"]) {
        const width = parseFloat(cs[`border${side}Width`]);
        const colour = parse(cs[`border${side}Color`]);
        if (width >= 1 && cs[`border${side}Style`] !== "none" && colour && colour.a > 0) {
          // A see-through border shows the control's own background, then what is behind.
          edges.push({what: `border-${side.toLowerCase()} ${cs[`border${side}Color`]}`,
                      colour: over(colour, own.a > 0 ? over(own, back) : back)});
        }
      }
      // A file input is seen as its "Choose file" button.
      if (el.type === "file") {
        const button = getComputedStyle(el, "::file-selector-button");
        const fill = parse(button.backgroundColor);
        const edge = parse(button.borderTopColor);
        if (parseFloat(button.borderTopWidth) >= 1 && button.borderTopStyle !== "none" && edge && edge.a > 0) {
          edges.push({what: `file button border ${button.borderTopColor}`, colour: over(edge, back)});
        }
        if (fill && fill.a > 0) edges.push({what: `file button ${button.backgroundColor}`, colour: over(fill, back)});
      }
      // A control with no visible border can still be marked out by its own fill.
      if (own.a > 0) edges.push({what: `background ${cs.backgroundColor}`, colour: over(own, back)});
    }
    out.push({control: describe(el), behind: back, edges});
  }
  return out;
}
"""


def _luminance(colour: dict) -> float:
    def channel(value: float) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour["r"])
        + 0.7152 * channel(colour["g"])
        + 0.0722 * channel(colour["b"])
    )


def contrast_ratio(first: dict, second: dict) -> float:
    """WCAG contrast ratio of two opaque {r, g, b} colours (1 to 21)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _rgb(colour: dict) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(round(colour[k]) for k in "rgb"))


def assert_controls_contrast(page, name: str, minimum: float = 3.0) -> None:
    """Fail listing every visible form control whose edge is under 3:1 against what is
    behind it (WCAG 1.4.11 non-text contrast; axe does not test it).

    The edge is the best of the control's borders (or its own fill, if that differs from
    the page); native checkboxes and radios are measured by their accent-color (Chromium's
    own #767676 edge when none is set)."""
    controls = page.evaluate(_CONTROL_COLOURS_JS)
    failures = []
    for control in controls:
        best, what = 1.0, "no border or fill"
        for edge in control["edges"]:
            ratio = contrast_ratio(edge["colour"], control["behind"])
            if ratio > best:
                best, what = ratio, edge["what"]
        if best < minimum:
            failures.append(
                f"  {control['control']}: {best:.2f}:1 ({what} on {_rgb(control['behind'])})"
            )
    if failures:
        pytest.fail(
            f"{len(failures)} form control(s) under {minimum}:1 on {name} ({page.url}):\n"
            + "\n".join(failures),
            pytrace=False,
        )


# Runs in the page: is it wider than the window, and which elements stick out (or scroll
# sideways inside themselves, hiding columns), widest first.
_REFLOW_JS = r"""
() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    if (el.classList.length) s += "." + [...el.classList].slice(0, 3).join(".");
    const text = (el.innerText || "").trim().replace(/\s+/g, " ").slice(0, 50);
    return text ? `${s} "${text}"` : s;
  };
  // Clipped by an ancestor that scrolls or hides overflow: reported as that ancestor.
  const clipped = (el) => {
    for (let n = el.parentElement; n && n !== document.body; n = n.parentElement) {
      if (getComputedStyle(n).overflowX !== "visible") return true;
    }
    return false;
  };
  const sticking = [], scrolling = [];
  for (const el of document.body.querySelectorAll("*")) {
    const cs = getComputedStyle(el);
    if (cs.display === "none" || !el.getClientRects().length) continue;
    if (cs.position === "absolute" && cs.clip === "rect(0px, 0px, 0px, 0px)") continue;
    const rect = el.getBoundingClientRect();
    if (rect.right > width + 1 && rect.width > 0 && !clipped(el)) {
      sticking.push({el: describe(el), right: Math.round(rect.right), width: Math.round(rect.width)});
    }
    if (["auto", "scroll"].includes(cs.overflowX) && el.scrollWidth > el.clientWidth + 1) {
      scrolling.push({el: describe(el), scrollWidth: el.scrollWidth, clientWidth: el.clientWidth});
    }
  }
  sticking.sort((a, b) => b.right - a.right);
  scrolling.sort((a, b) => b.scrollWidth - a.scrollWidth);
  return {scrollWidth: root.scrollWidth, clientWidth: width,
          sticking: sticking.slice(0, 8), scrolling: scrolling.slice(0, 8)};
}
"""


def assert_reflows(
    page,
    name: str,
    width: int = 320,
    *,
    inner_scroll: bool = False,
    screenshot: bool = True,
    reload: bool = True,
) -> None:
    """Set the window `width` CSS px wide, reload, and fail unless the page fits without
    scrolling sideways (WCAG 1.4.10 reflow), listing the widest elements that stick out.

    320 px is 1280 px at 400% zoom; for 200% zoom use a 640 px context with
    device_scale_factor=2 (`new_page(viewport=..., device_scale_factor=2)`) and width=640.
    A box that scrolls sideways inside the page (e.g. .table-responsive) hides columns, so it
    fails too unless inner_scroll=True. Saves test-artifacts/screenshots/<name>-<width>px.png.
    reload=False checks the page as it is, for a page that answered a POST (a warning, a
    confirmation), which a reload would send again.
    """
    height = (page.viewport_size or VIEWPORT)["height"]
    page.set_viewport_size({"width": width, "height": height})
    if reload:
        page.reload()
    page.wait_for_load_state("load")
    found = page.evaluate(_REFLOW_JS)
    if screenshot:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{_safe_name(name)}-{width}px.png"), full_page=True)
    problems = []
    if found["scrollWidth"] > found["clientWidth"]:
        problems.append(
            f"the page is {found['scrollWidth']} px wide in a {found['clientWidth']} px window;"
            " widest elements sticking out:"
        )
        problems += [f"  {e['el']}: right edge {e['right']} px" for e in found["sticking"]]
    if found["scrolling"] and not inner_scroll:
        problems.append("boxes that scroll sideways, hiding part of their content:")
        problems += [
            f"  {e['el']}: {e['scrollWidth']} px of content in {e['clientWidth']} px"
            for e in found["scrolling"]
        ]
    if problems:
        pytest.fail(
            f"{name} ({page.url}) does not reflow at {width} px:\n" + "\n".join(problems),
            pytrace=False,
        )


# Runs in the page: does the focused element look different from how it looks unfocused?
_FOCUS_LOOK_JS = r"""
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  // Focus on the calendar button inside a date box: the box itself is not :focus, and
  // app.css rings the button (::-webkit-calendar-picker-indicator:focus-visible).
  if (el.tagName === "INPUT" && /^(date|time|datetime-local|month|week)$/.test(el.type) &&
      !el.matches(":focus")) {
    return {el: `input#${el.id} (its calendar button)`, look: {outline: "the picker's own ring"}};
  }
  const cs = getComputedStyle(el);
  const look = {outline: cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) > 0
                  ? `${cs.outlineWidth} ${cs.outlineStyle} ${cs.outlineColor}` : "",
                shadow: cs.boxShadow !== "none" ? cs.boxShadow : "",
                underline: cs.textDecorationLine, background: cs.backgroundColor,
                border: cs.borderColor};
  const tag = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "");
  const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 40);
  return {el: `${tag} "${text}"`, look};
}
"""


def assert_focus_visible(page, name: str, presses: int = 12) -> None:
    """Press Tab `presses` times from the top of the page; fail for any element that gets
    focus with no visible outline or box-shadow ring (WCAG 2.4.7 focus visible)."""
    page.locator("body").focus()
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    unseen = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUS_LOOK_JS)
        if focused is None:
            break
        if not focused["look"]["outline"] and not focused["look"]["shadow"]:
            unseen.append(f"  {focused['el']}")
    if unseen:
        pytest.fail(
            f"focus is not visible on {name} ({page.url}) for:\n" + "\n".join(unseen),
            pytrace=False,
        )


# --- report -------------------------------------------------------------------------
# Called by the hooks in tests/conftest.py, which every process loads, including the xdist
# controller (this file is loaded only by the processes that collect the browser tests).


def report_collect(node) -> None:
    """xdist controller: add the scans of a worker that has finished."""
    _scans.extend(getattr(node, "workeroutput", {}).get("axe_scans", []))


def report_write(session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        # An xdist worker: hand the scans to the controller rather than write the report,
        # which the other workers would overwrite.
        workeroutput["axe_scans"] = _scans
        return
    if not _scans:
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    AXE_REPORT.write_text(json.dumps({"tags": AXE_TAGS, "scans": _scans}, indent=2) + "\n")


def report_summary(terminalreporter) -> None:
    if not _scans:
        return
    tr = terminalreporter
    tr.section("axe-core scans")
    names = [scan["name"] for scan in _scans]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        tr.write_line(
            f"scan names used twice, so a screenshot was overwritten: {', '.join(repeated)}",
            red=True,
        )
    for scan in _scans:
        ids = ", ".join(sorted({v["id"] for v in scan["violations"]})) or "-"
        label = "admin page (Django's own)" if scan["kind"] == "admin" else "page"
        tr.write_line(f"{label} {scan['name']}: {len(scan['violations'])} violation(s): {ids}")
    tr.write_line(
        f"report: {AXE_REPORT.relative_to(REPO_ROOT)}; "
        f"screenshots: {SCREENSHOTS.relative_to(REPO_ROOT)}/"
    )
