"""The apps import one way only, bottom to top; no function-local import dodges a cycle.

Read from the source with `ast`, so the test sees every import, at module level or inside a
function, whether or not that code runs.
"""

import ast
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parent.parent

# Bottom to top: each app may import only the apps before it (README, "Architecture").
LAYERS = [
    "ascru_pie",
    "advisors",
    "rates",
    "projects",
    "meetings",
    "payments",
    "impacts",
    "reminders",
    "reports",
    "privacy",
    "homes",
]

# Function-local imports of our own modules that are not there to dodge a cycle.
LOCAL_IMPORTS_ALLOWED = {
    # WeasyPrint takes a second to import: only the worker and the build command need it.
    ("reports/services.py", "ascru_pie.lib.pdf"),
    ("privacy/sar.py", "ascru_pie.lib.pdf"),
}


def _modules(app: str) -> list[Path]:
    return sorted(p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts)


def _imports(path: Path) -> list[tuple[ast.AST, str, bool]]:
    """(node, absolute module name, inside a function?) for every import in the file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = []

    def visit(node: ast.AST, local: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = local or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((child, alias.name, local) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - child.level + 1]
                    name = ".".join(base + ([child.module] if child.module else []))
                else:
                    name = child.module or ""
                found.append((child, name, local))
            visit(child, inner)

    visit(tree, False)
    return found


class LayersTest(SimpleTestCase):
    def test_every_app_is_in_the_layer_list(self) -> None:
        from django.apps import apps

        ours = {c.name for c in apps.get_app_configs() if (ROOT / c.name).is_dir()}
        self.assertEqual(ours, set(LAYERS))

    def test_no_app_imports_an_app_above_it(self) -> None:
        upward = []
        for level, app in enumerate(LAYERS):
            for path in _modules(app):
                for node, name, _ in _imports(path):
                    target = name.split(".")[0]
                    if target in LAYERS and LAYERS.index(target) > level:
                        upward.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
        self.assertEqual(upward, [], "Upward imports (move the code up, or call it from above)")

    def test_no_function_local_import_of_our_modules_except_a_task_importing_its_service(
        self,
    ) -> None:
        hidden = []
        for app in LAYERS:
            for path in _modules(app):
                relative = str(path.relative_to(ROOT))
                for node, name, local in _imports(path):
                    if not local or name.split(".")[0] not in LAYERS:
                        continue
                    if path.name == "tasks.py" and name == f"{app}.services":
                        continue
                    if (relative, name) in LOCAL_IMPORTS_ALLOWED:
                        continue
                    hidden.append(f"{relative}:{node.lineno} imports {name} inside a function")
        self.assertEqual(hidden, [])

    def test_the_checker_sees_an_upward_import_inside_a_function(self) -> None:
        # The test above must be able to fail: a planted upward import is found.
        planted = ROOT / "advisors" / "_planted_for_test.py"
        planted.write_text("def f():\n    from reports.models import ReportRequest\n")
        try:
            names = [name for _, name, local in _imports(planted) if local]
        finally:
            planted.unlink()
        self.assertEqual(names, ["reports.models"])


class TestModulesTest(SimpleTestCase):
    def test_test_modules_never_import_each_other(self) -> None:
        shared = {
            "tests.base",
            "tests.factories",
            "tests.worker",
            "tests.browser.conftest",
            "tests.census",
            "tests.access_rules",
        }
        crossing = []
        for path in sorted((ROOT / "tests").rglob("*.py")):
            for node, name, _ in _imports(path):
                if name.startswith("tests.") and name not in shared:
                    crossing.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
        self.assertEqual(crossing, [], "Move shared helpers to tests/factories.py or tests/base.py")
