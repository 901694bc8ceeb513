"""The code map the README promises: one core, three interfaces that never import each other."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INTERFACES = {"app.cli": "cli", "app.ui": "ui", "app.mcp": "mcp"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def interface_of(module: str) -> str | None:
    return next((name for prefix, name in INTERFACES.items() if within(module, prefix)), None)


def modules(folder: str) -> dict[str, set[str]]:
    return {module_name(p): imports(p) for p in sorted((ROOT / folder).rglob("*.py"))}


def test_no_interface_imports_another_and_the_core_imports_none() -> None:
    wrong = []
    for module, imported in modules("app").items():
        own = interface_of(module)
        for name in imported:
            other = interface_of(name)
            if other is not None and other != own:
                wrong.append(f"{module} imports {name}")
    assert wrong == []


def test_streamlit_and_mcp_stay_in_their_interfaces() -> None:
    wrong = []
    for module, imported in modules("app").items():
        for sdk, home in (("streamlit", "ui"), ("mcp", "mcp")):
            if any(within(n, sdk) for n in imported) and interface_of(module) != home:
                wrong.append(f"{module} imports {sdk}")
    assert wrong == []


def test_ingest_never_imports_app() -> None:
    wrong = [m for m, names in modules("ingest").items() if any(within(n, "app") for n in names)]
    assert wrong == []


def test_the_readme_code_map_names_every_module() -> None:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("## Code map")
    section = readme[start : readme.find("\n## ", start + 1)]
    missing = [
        str(p.relative_to(ROOT))
        for folder in ("app", "ingest")
        for p in (ROOT / folder).rglob("*.py")
        if p.name not in ("__init__.py", "__main__.py")
        and not re.search(rf"(?<![\w/]){re.escape(p.name)}\b", section)
    ]
    assert missing == []
