"""The house's shape, checked from the code's imports (docs/architecture.md).

Layers, bottom up: core (and extensions) → accounts → communities → kernels (voting, procedure,
moderation, notifications, documents) → features (consultations, ideas, microprojects, contests, decisions) → flows
(cross-feature use cases) → the composition at the top (the app factory, cli, demo, models). A package
imports only its own layer and those below; between packages of one layer there is no circle. Imports
inside functions count the same as those at the top of a module: hiding a circle in a function does not
remove it.
"""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"

LAYERS = {
    "core": 0,
    "extensions": 0,
    "accounts": 1,
    "communities": 2,
    "voting": 3,
    "procedure": 3,
    "moderation": 3,
    "notifications": 3,
    "documents": 3,
    "objections": 3,  # objections during 公示, keyed by what they object to (moderated through moderation)
    "surveys": 3,  # the survey engine: questionnaires, quick polls, satisfaction campaigns' questions
    "satisfaction": 4,  # satisfaction campaigns (测评): reads orgs and microprojects, never procurement
    "orgs": 4,  # social organisations' registry: reads only communities and accounts
    "needs": 4,  # needs and the guidance list
    "procurement": 4,  # service projects: calls, scoring, contracts; reads orgs, needs (and surveys, a kernel)
    "consultations": 4,
    "ideas": 4,
    "microprojects": 4,
    "contests": 4,
    "decisions": 4,
    "notices": 4,
    "neighbours": 4,  # 睦邻互助会: reads consultations (its groups' consultations are made through them)
    "rulebook": 4,  # the community's own rules: drafts, comments, the vote (procedure, voting, moderation)
    "meetings": 4,
    "workitems": 4,  # 社区工作事项准入: the district's admission list (reads communities, voting's table exports)
    "slow": 4,  # slow deliberation (异步协商): reads consultations (consultations < slow)
    "flows": 5,
    "home": 5,  # the community's home reads every feature (each feature's queries), like a flow
    "search": 5,  # finds every feature's things: reads the features, written by none
    "dashboards": 5,  # street and district dashboards: read every feature's models, aggregates in SQL
    "assessment": 5,  # 精品社区 assessment: reads the dashboards' figures (dashboards.reading); nothing imports it
    # the composition: builds the app from everything below
    "__init__": 6,
    "cli": 6,
    "demo": 6,
    "models": 6,
}


def _package(module: str) -> str | None:
    """'app.ideas.services' -> 'ideas'; None for anything outside app."""
    parts = module.split(".")
    if parts[0] != "app":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every app module the file imports, at any depth, with its line."""
    module = ".".join(path.relative_to(APP.parent).with_suffix("").parts)
    if path.name == "__init__.py":
        module = module.rsplit(".", 1)[0]
    return _imports_in(path.read_text(encoding="utf-8"), module, package=path.name == "__init__.py")


def _imports_in(source: str, module: str, *, package: bool = False) -> list[tuple[str, int]]:
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if package else 0)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            if node.module is None or name == "app":
                found += [(f"{name}.{alias.name}", node.lineno) for alias in node.names]
            else:
                found.append((name, node.lineno))
    return [(name, line) for name, line in found if name == "app" or name.startswith("app.")]


def _edges() -> dict[tuple[str, str], list[str]]:
    edges: dict[tuple[str, str], list[str]] = {}
    for path in sorted(APP.rglob("*.py")):
        source = _package(".".join(path.relative_to(APP.parent).with_suffix("").parts))
        for name, line in _imports(path):
            target = _package(name)
            if target and target != source:
                edges.setdefault((source, target), []).append(f"{path.relative_to(APP.parent)}:{line}")
    return edges


def test_every_package_has_a_layer():
    packages = {p.name for p in APP.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    packages |= {p.stem for p in APP.glob("*.py")}
    assert packages <= set(LAYERS), f"give these a layer in LAYERS: {sorted(packages - set(LAYERS))}"


def test_imports_point_down():
    upward = [
        f"{source} (layer {LAYERS[source]}) imports {target} (layer {LAYERS[target]}) at {', '.join(where)}"
        for (source, target), where in _edges().items()
        if LAYERS.get(target, 99) > LAYERS.get(source, 99)
    ]
    assert not upward, "imports running back up:\n" + "\n".join(upward)


def test_no_circles_between_packages():
    graph: dict[str, set[str]] = {}
    for source, target in _edges():
        graph.setdefault(source, set()).add(target)
    circles = []
    for (source, target), where in _edges().items():
        # a path back from target to source closes a circle
        seen, stack = set(), [target]
        while stack:
            node = stack.pop()
            if node == source:
                circles.append(f"{source} → {target} ({', '.join(where)}) and back")
                break
            if node not in seen:
                seen.add(node)
                stack.extend(graph.get(node, ()))
    assert not circles, "import circles between packages:\n" + "\n".join(circles)


def test_the_checker_sees_imports_inside_functions():
    """A circle hidden in a function is found: the checker reads every import, not only the top ones."""
    source = (
        "import os\n\ndef f():\n    from app.ideas import services\n    import app.contests.models\n"
        "    from . import forms\n"
    )
    names = {name for name, _line in _imports_in(source, "app.microprojects.routes")}
    assert names == {"app.ideas", "app.contests.models", "app.microprojects.forms"}
