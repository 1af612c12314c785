"""The fitted state of a dynamics estimator as a file holds it, and its checks.

A fitted estimator keeps a *record* besides its net: widths, column names,
normalisation, the validation seed, the architecture its network was built
from and the optimizer it trained with. In memory the record holds arrays
and Python objects; :func:`record_to_json` writes it for a file and
:func:`record_from_json` reads it back, refusing anything that does not
describe a model with a :class:`SavedStateError` that says what is wrong.
"""

from __future__ import annotations

import json
import math
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils._param_validation import make_constraint

from sklearn_hnn._codec import decode, encode, shown, torch_optimizer
from sklearn_hnn.estimators._runtime import resolve_device, seeded_torch
from sklearn_hnn.nn.normalization import Normalization


class SavedStateError(ValueError):
    """What is wrong with a saved state that reads back (the message says it)."""


def _is_int(value) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def _is_finite(value) -> bool:
    if isinstance(value, bool) or not isinstance(value, Real):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def json_entry(entries: dict, key: str, kind: type, *, nullable: bool = False):
    """The JSON text ``entries[key]``, decoded, checked to be a ``kind``."""
    if key not in entries:
        raise SavedStateError(f"it has no {key!r} entry")
    text = entries[key]
    if not isinstance(text, str):
        raise SavedStateError(
            f"its {key!r} entry is a {type(text).__name__}, not JSON text"
        )
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SavedStateError(f"its {key!r} entry is not valid JSON ({exc})") from exc
    if value is None and nullable:
        return None
    if not isinstance(value, kind):
        expected = "an object" if kind is dict else "an array"
        raise SavedStateError(
            f"its {key!r} entry holds {type(value).__name__} {shown(value)}, not "
            f"{expected}"
        )
    return value


def new_record(
    *,
    n_features_in_: int,
    feature_names_in_,
    n_outputs_: int,
    architecture: dict,
    normalization: Normalization | None = None,
    y_is_1d: bool = False,
) -> dict:
    """The fitted record of a model about to be trained from new weights.

    Every torch estimator's fitted state has this layout, which its saves
    write (:func:`record_to_json`). ``normalization`` defaults to the
    identity (data used as given); ``validation_seed`` and ``optimizer`` are
    filled in when training starts.
    """
    return {
        "n_features_in_": int(n_features_in_),
        "feature_names_in_": feature_names_in_,
        "n_outputs_": int(n_outputs_),
        "y_is_1d": bool(y_is_1d),
        "normalization": Normalization() if normalization is None else normalization,
        "validation_seed": None,
        "architecture": architecture,
        "optimizer": None,
    }


def set_feature_names(estimator, names) -> None:
    """Set ``feature_names_in_`` on a fitted ``estimator``, or remove it when
    ``names`` is None (scikit-learn's convention: the attribute exists only
    for data that had column names)."""
    if names is not None:
        estimator.feature_names_in_ = names
    elif hasattr(estimator, "feature_names_in_"):
        del estimator.feature_names_in_


def record_to_json(record: dict) -> str:
    """The fitted ``record`` as JSON text."""
    norm: Normalization = record["normalization"]
    names = record["feature_names_in_"]
    architecture = record["architecture"]
    return json.dumps(
        {
            "n_features_in_": int(record["n_features_in_"]),
            "feature_names_in_": None if names is None else [str(n) for n in names],
            "n_outputs_": int(record["n_outputs_"]),
            "y_is_1d": bool(record["y_is_1d"]),
            "X_offset_": None if norm.offset is None else norm.offset.tolist(),
            "X_scale_": float(norm.x_scale),
            "y_scale_": float(norm.y_scale),
            "validation_seed": record["validation_seed"],
            "architecture": None
            if architecture is None
            else {key: encode(key, value) for key, value in architecture.items()},
            "optimizer": _optimizer_to_json(record["optimizer"]),
        }
    )


def _optimizer_to_json(optimizer: dict | None) -> dict | None:
    if optimizer is None:
        return None
    options = optimizer.get("options", {})
    return {**optimizer, "options": {k: encode(k, v) for k, v in options.items()}}


#: Fitted attributes that every fitted save holds.
_KEYS = (
    "n_features_in_",
    "feature_names_in_",
    "n_outputs_",
    "y_is_1d",
    "X_offset_",
    "X_scale_",
    "y_scale_",
)


def record_from_json(data: dict, allow_imports=()) -> dict:
    """The record ``data`` (decoded JSON) describes; raise
    :class:`SavedStateError` unless its entries are of the right kinds and
    agree with one another."""
    missing = [key for key in _KEYS if key not in data]
    if missing:
        raise SavedStateError(f"its fitted attributes lack {missing}")
    for key in ("n_features_in_", "n_outputs_"):
        if not (_is_int(data[key]) and data[key] >= 1):
            raise SavedStateError(f"{key}={shown(data[key])} is not an integer >= 1")
    n_features = data["n_features_in_"]
    if not isinstance(data["y_is_1d"], bool):
        raise SavedStateError(f"y_is_1d={shown(data['y_is_1d'])} is not true or false")
    if data["y_is_1d"] and data["n_outputs_"] != 1:
        raise SavedStateError(
            f"y_is_1d is true, but n_outputs_={data['n_outputs_']} is not 1"
        )
    names = data["feature_names_in_"]
    if names is not None:
        if not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
            raise SavedStateError(
                "feature_names_in_ is neither null nor a list of strings"
            )
        if len(names) != n_features:
            raise SavedStateError(
                f"feature_names_in_ has {len(names)} name(s), but n_features_in_ "
                f"is {n_features}"
            )
    offset = data["X_offset_"]
    if offset is not None:
        if not (isinstance(offset, list) and all(map(_is_finite, offset))):
            raise SavedStateError(
                "X_offset_ is neither null nor a list of finite numbers"
            )
        if len(offset) != n_features:
            raise SavedStateError(
                f"X_offset_ has {len(offset)} entries, but n_features_in_ is "
                f"{n_features}"
            )
    for key in ("X_scale_", "y_scale_"):
        if not (_is_finite(data[key]) and data[key] > 0):
            raise SavedStateError(
                f"{key}={shown(data[key])} is not a finite number > 0"
            )
    seed = data.get("validation_seed")
    if seed is not None and not (_is_int(seed) and 0 <= seed < 2**32):
        raise SavedStateError(
            f"validation_seed={shown(seed)} is neither null nor an integer in "
            "[0, 2**32 - 1]"
        )
    optimizer = data.get("optimizer")
    if optimizer is not None:
        if not (
            isinstance(optimizer, dict)
            and set(optimizer) - {"options"} == {"name", "lr", "weight_decay"}
            and isinstance(optimizer["name"], str)
            and _is_finite(optimizer["lr"])
            and _is_finite(optimizer["weight_decay"])
            and isinstance(optimizer.get("options", {}), dict)
        ):
            raise SavedStateError(
                f"its optimizer record {shown(optimizer)} is not a name, an lr, a "
                "weight_decay and options"
            )
        try:
            options = {
                k: decode(v, allow_imports)
                for k, v in optimizer.get("options", {}).items()
            }
        except (TypeError, ValueError) as exc:
            raise SavedStateError(
                f"its optimizer options cannot be read: {exc}"
            ) from exc
        optimizer = {**optimizer, "options": options}
    architecture = data.get("architecture")
    if architecture is not None:
        if not isinstance(architecture, dict):
            raise SavedStateError(
                f"its architecture {shown(architecture)} is not valid"
            )
        try:
            architecture = {  # lists: the first format's hidden_layer_sizes
                key: tuple(value)
                if isinstance(value, list)
                else decode(value, allow_imports)
                for key, value in architecture.items()
            }
        except (TypeError, ValueError) as exc:
            raise SavedStateError(
                f"its architecture {shown(data['architecture'])} is not valid: {exc}"
            ) from exc
    return {
        "n_features_in_": n_features,
        "feature_names_in_": None if names is None else np.asarray(names, dtype=object),
        "n_outputs_": data["n_outputs_"],
        "y_is_1d": data["y_is_1d"],
        "normalization": Normalization(
            None if offset is None else np.asarray(offset, dtype=float),
            float(data["X_scale_"]),
            float(data["y_scale_"]),
        ),
        "validation_seed": seed,
        "architecture": architecture,
        "optimizer": optimizer,
    }


def check_weights(state, expected: dict, described: str) -> None:
    """Raise :class:`SavedStateError` unless ``state`` holds finite tensors of
    the names and shapes of ``expected`` (a state dict of the network)."""
    if state is None:
        raise SavedStateError("it has no 'module_state' entry (the weights)")
    if not isinstance(state, dict):
        raise SavedStateError(
            f"its 'module_state' entry (the weights) is a {type(state).__name__}, "
            "not a dict of tensors"
        )
    missing = [key for key in expected if key not in state]
    unexpected = [key for key in state if key not in expected]
    if missing or unexpected:
        found = [
            f"{what} {keys}"
            for what, keys in (("missing", missing), ("unexpected", unexpected))
            if keys
        ]
        raise SavedStateError(f"its weights do not fit {described}: {', '.join(found)}")
    for key, tensor in state.items():
        if not isinstance(tensor, torch.Tensor):
            raise SavedStateError(f"its weight {key!r} is a {type(tensor).__name__}")
        shape, needed = tuple(tensor.shape), tuple(expected[key].shape)
        if shape != needed:
            raise SavedStateError(
                f"its weight {key!r} has shape {shape}, but {described} needs {needed}"
            )
        if (tensor.is_floating_point() or tensor.is_complex()) and not bool(
            torch.isfinite(tensor).all()
        ):
            raise SavedStateError(f"its weight {key!r} is not finite (NaN or infinity)")


def _satisfies(constraint, value) -> bool:
    return make_constraint(constraint).is_satisfied_by(value)


class SavedStateMixin:
    """How a fitted dynamics estimator writes its state into a save and reads
    it back (see :mod:`sklearn_hnn.persistence`).

    The estimator keeps its fitted record in ``_fitted_record`` and its net in
    ``net_``, commits both with ``_commit(record, net)``, and builds nets with
    the torch training mixin's ``_make_net``.
    """

    def _saved_entries(self, record: dict | None = None, net=None) -> dict:
        """The entries of a save of this estimator besides its parameters:
        its fitted state (``record`` and ``net``, this estimator's own by
        default) as JSON text and tensors; ``fitted`` is ``"null"`` when
        there is none."""
        if record is None and hasattr(self, "net_"):
            record, net = self._fitted_record, self.net_
        if record is None:
            return {"fitted": "null"}
        return {
            "fitted": record_to_json(record),
            "module_state": net.module_.state_dict(),
            "optimizer_state": net.optimizer_.state_dict(),
            "history": json.dumps(net.history.to_list(), default=float),
        }

    def _load_saved(self, entries: dict, allow_imports=()) -> None:
        """Make this unfitted estimator the fitted model of a save's
        ``entries``, checked first: :class:`SavedStateError` (or another
        error that the caller reports as damage) if they do not describe one."""
        data = json_entry(entries, "fitted", dict, nullable=True)
        if data is None:
            return
        record = record_from_json(data, allow_imports)
        architecture = {**self._architecture(), **(record["architecture"] or {})}
        for name, value in architecture.items():
            constraint = self._parameter_constraints.get(name)
            # One definition of a valid architecture: the parameters'.
            if constraint and not any(_satisfies(c, value) for c in constraint):
                raise SavedStateError(
                    f"its architecture {record['architecture']!r} is not valid: "
                    f"{name}={value!r}"
                )
        record["architecture"] = architecture
        n_features, n_outputs = record["n_features_in_"], record["n_outputs_"]
        parts = [f"{n_features} feature(s)", f"{n_outputs} output(s)"]
        if "hidden_layer_sizes" in architecture:
            parts.append(
                f"hidden_layer_sizes={tuple(architecture['hidden_layer_sizes'])}"
            )
        described = (
            f"a {type(self).__name__} with {', '.join(parts[:-1])} and {parts[-1]}"
        )
        try:
            with torch.device("meta"):  # shapes only: no memory, no random numbers
                module_cls, module_kwargs = self._module_spec(
                    n_features, n_outputs, architecture
                )
                expected = module_cls(**module_kwargs).state_dict()
        except (KeyError, TypeError, ValueError) as exc:
            raise SavedStateError(
                f"it describes {described}, which cannot be built: {exc}"
            ) from exc
        check_weights(entries.get("module_state"), expected, described)
        history = json_entry(entries, "history", list)
        if not all(isinstance(epoch, dict) for epoch in history):
            raise SavedStateError(
                "its 'history' entry is not a list of epochs (JSON objects)"
            )
        recorded = record["optimizer"]
        if recorded is not None and torch_optimizer(recorded["name"]) is None:
            recorded = None  # then from the parameters, as older saves
        device = resolve_device(self.device)
        with seeded_torch(0, device):  # the weights drawn are overwritten
            net = self._make_net(
                n_features, n_outputs, architecture, device, 0, optimizer=recorded
            ).initialize()
        # As fitted, like an unpickled model: parameters changed since apply
        # when training continues.
        self._load_training_state(
            net,
            entries["module_state"],
            entries.get("optimizer_state"),
            history,
            recorded,
            apply_params=recorded is None,
        )
        self._commit(record, net)
        probe = torch.zeros(1, n_features, device=net.device)
        with torch.no_grad():
            shape = tuple(net.module_(probe).shape)
        if shape != (1, n_outputs):
            raise SavedStateError(
                f"n_outputs_ is {n_outputs}, but its network predicts "
                f"{shape[-1]} column(s)"
            )
