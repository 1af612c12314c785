"""The README's example runs as written; the API reference is complete."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import sklearn_hnn

README = Path(__file__).parents[1] / "README.md"


def test_readme_example_runs_as_written():
    (code,) = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)[:1]
    namespace: dict = {}
    exec(compile(code, str(README), "exec"), namespace)
    assert namespace["dXdt_hat"].shape == namespace["X_test"].shape
    assert namespace["traj"].shape == (201, 2)
    assert namespace["H"].shape == (201,)


def _api_entries() -> set[int]:
    """The objects docs/api.rst lists (by identity), read from its
    ``currentmodule`` sections and autosummary lines."""
    listed, module = set(), None
    for line in (
        (Path(__file__).parents[1] / "docs" / "api.rst").read_text().splitlines()
    ):
        if line.startswith(".. currentmodule::"):
            module = importlib.import_module(line.split("::")[1].strip())
        elif line.startswith("   ") and not line.strip().startswith(":"):
            name = line.strip()
            owner, _, attr = name.rpartition(".")
            base = importlib.import_module(owner) if owner else module
            listed.add(id(getattr(base, attr)))
    return listed


def test_the_api_reference_lists_every_public_name():
    listed = _api_entries()
    missing = []
    for info in pkgutil.walk_packages(sklearn_hnn.__path__, "sklearn_hnn."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if (inspect.isclass(obj) or inspect.isfunction(obj)) and id(
                obj
            ) not in listed:
                missing.append(f"{info.name}.{name}")
    assert not missing, f"not in docs/api.rst: {sorted(set(missing))}"
