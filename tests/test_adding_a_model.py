"""The "Adding a model" page: its Python blocks, run in order in a fresh
interpreter, define a model family that fits, predicts, simulates, saves,
loads, pickles and resumes from a checkpoint, with no change to the library."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

PAGE = Path(__file__).parents[1] / "docs" / "adding_a_model.md"

#: Run after the page's blocks, in the same interpreter.
CHECKS = """
import json, pickle
assert model.score(data.X_test, data.dXdt_test) > 0.9  # noisy derivatives
A = model.module_.hamiltonian.A.detach().numpy() * model.X_scale_ * model.y_scale_
assert np.allclose(A, 2.0 * np.eye(2), atol=0.15), A  # H = q^2 + p^2
assert trajectory.shape == (len(t), 2) and np.isfinite(trajectory).all()
assert np.ptp(energy) < 1e-2 * abs(energy).max()
assert loaded.get_params() == model.get_params()
assert type(loaded) is QuadraticHamiltonianRegressor
copy = pickle.loads(pickle.dumps(model))
assert np.array_equal(copy.simulate(data.X_test[:2], t[:20]),
                      model.simulate(data.X_test[:2], t[:20]))
assert len(resumed.history_) == 300
long = QuadraticHamiltonianRegressor(max_epochs=300, random_state=0)
long.fit(data.X_train, data.dXdt_train)
assert np.allclose(resumed.predict(data.X_test), long.predict(data.X_test),
                   rtol=1e-4, atol=1e-6)
from sklearn.base import clone
assert clone(model).get_params() == model.get_params()
print("CHECKS PASSED")
"""


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", PAGE.read_text(), flags=re.S)


def test_the_page_starts_with_its_title_and_has_code():
    assert PAGE.read_text().startswith("# Adding a model\n")
    assert len(_blocks()) >= 5


def test_the_blocks_define_a_model_that_does_everything(tmp_path):
    script = tmp_path / "adding_a_model.py"
    script.write_text("\n\n".join([*_blocks(), CHECKS]))
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=1200,  # against hangs only
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "CHECKS PASSED" in result.stdout
    assert "QuadraticHamiltonianRegressor" in PAGE.read_text()
