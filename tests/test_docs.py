"""The README's quick start and the user guide's pictures run as written and
save their figures; the API reference is complete."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import sys
from pathlib import Path

import numpy as np
import pytest

import sklearn_hnn

ROOT = Path(__file__).parents[1]
README = ROOT / "README.md"
USER_GUIDE = ROOT / "docs" / "user_guide.md"


def _python_block(path: Path, heading: str = "") -> str:
    """The first python block of ``path`` after the line ``heading``."""
    text = path.read_text()
    if heading:
        text = text[text.index(f"\n{heading}\n") :]
    return re.search(r"```python\n(.*?)```", text, flags=re.S).group(1)


def _run(code: str, path: Path) -> dict:
    """The names ``code`` leaves, run with headless figures (then closed)."""
    namespace: dict = {}
    try:
        exec(compile(code, str(path), "exec"), namespace)
    finally:
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")
    return namespace


@pytest.fixture
def in_tmp_path(tmp_path, monkeypatch) -> Path:
    """Figures drawn headless, and saved in a temporary directory."""
    pytest.importorskip("matplotlib")  # the plots need the plot extra
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_readme_example_runs_as_written(in_tmp_path):
    namespace = _run(_python_block(README), README)
    data, traj = namespace["data"], namespace["traj"]
    assert namespace["dXdt_hat"].shape == data.X_test.shape
    assert traj.shape == (201, 2)
    assert namespace["H"].shape == (201,)
    # A good model at the quick start's small size: the derivative fit of the
    # paper's defaults (R^2 0.928 on this data), a rollout on the true orbit.
    assert namespace["est"].score(data.X_test, data.dXdt_test) > 0.9
    true_energy = data.system.hamiltonian(traj)
    assert np.ptp(true_energy) < 0.05 * true_energy[0]
    for name in ("phase.png", "energy.png"):
        assert (in_tmp_path / name).stat().st_size > 0


def test_the_user_guides_pictures_run_on_their_own(in_tmp_path):
    namespace = _run(_python_block(USER_GUIDE, "## Pictures"), USER_GUIDE)
    rollouts, energies = namespace["rollouts"], namespace["drawn"].energies
    assert set(energies) == {"true", "baseline", "HNN"}
    # "true" is the data's system: the HNN, trained on it, follows it for
    # the first second (within 0.09 here) and keeps its energy.
    np.testing.assert_allclose(rollouts["HNN"][:11], rollouts["true"][:11], atol=0.15)
    np.testing.assert_allclose(energies["HNN"], energies["true"], rtol=0.05)
    for name in ("phase.png", "rollouts.png", "energy.png"):
        assert (in_tmp_path / name).stat().st_size > 0


def _api_entries() -> set[int]:
    """The objects docs/api.rst lists (by identity), read from its
    ``currentmodule`` sections and autosummary lines."""
    listed, module = set(), None
    for line in (ROOT / "docs" / "api.rst").read_text().splitlines():
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
