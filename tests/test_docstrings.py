"""Every public object has a numpydoc docstring that matches its signature.

The public objects are the names in the ``__all__`` of every public module of
sklearn_hnn, and the public methods and properties their classes define.
numpydoc's validator checks each against the rules below; see
https://numpydoc.readthedocs.io/en/latest/validation.html for the codes.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import sklearn_hnn

validate = pytest.importorskip("numpydoc.validate").validate

#: Enforced: parameters and returns documented and matching the signature,
#: sections in order, summaries well formed. Not enforced: "See Also" (SA01),
#: "Examples" (EX01) and extended summaries (ES01) on every object, where the
#: summary line starts (GL01, GL02), one-line summaries (SS06), and the
#: imperative mood (SS05).
CHECKS = {
    "GL03", "GL05", "GL06", "GL07", "GL08", "GL09", "GL10",
    "SS01", "SS02", "SS03", "SS04",
    "PR01", "PR02", "PR03", "PR04", "PR05", "PR06", "PR07", "PR08", "PR09", "PR10",
    "RT01", "RT02", "RT03", "RT04", "RT05",
    "YD01",
}  # fmt: skip


def _public_modules():
    yield sklearn_hnn
    for info in pkgutil.walk_packages(sklearn_hnn.__path__, "sklearn_hnn."):
        parts = info.name.split(".")[1:]
        if not any(part.startswith("_") for part in parts):
            yield importlib.import_module(info.name)


def _public_objects() -> list[str]:
    """Import paths of the public objects, where each is defined."""
    names = set()
    for module in _public_modules():
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue  # constants document themselves in comments
            if not obj.__module__.startswith("sklearn_hnn"):
                continue
            path = f"{obj.__module__}.{obj.__qualname__}"
            names.add(path)
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if attr.startswith("_"):
                        continue
                    if inspect.isfunction(member) or isinstance(
                        member, property | classmethod | staticmethod
                    ):
                        names.add(f"{path}.{attr}")
    return sorted(names)


PUBLIC = _public_objects()


def test_public_objects_are_found():
    assert "sklearn_hnn.estimators.hamiltonian.HamiltonianRegressor" in PUBLIC
    assert "sklearn_hnn.estimators.simulation.SimulationMixin.simulate" in PUBLIC
    assert "sklearn_hnn.integrate.integrate" in PUBLIC


@pytest.mark.parametrize("path", PUBLIC)
def test_docstring_follows_numpydoc(path):
    errors = [
        f"{code}: {message}"
        for code, message in validate(path)["errors"]
        if code in CHECKS
    ]
    assert not errors, f"{path}:\n" + "\n".join(errors)
