"""Meta-estimators made of estimators: default parts, nested parameters and
saves that hold each fitted part's own state."""

from __future__ import annotations

import json
from typing import ClassVar

from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from sklearn_hnn.estimators._state import SavedStateError, json_entry


class PartsMixin:
    """What a meta-estimator whose parameters are estimators (its *parts*)
    shares.

    A subclass names its parts and their default classes in ``_parts``; a
    part's parameter may be None for the default. After ``fit`` each part's
    fitted copy is the attribute ``<name>_``. A save holds the meta-estimator's
    own fitted state (``_fitted_json``, restored with ``_restore``) and each
    fitted part's entries under ``<name>.``, which the part reads itself; the
    meta-estimator's ``device`` parameter, if any, is the parts' on loading.
    """

    #: Parameter name of each part, mapped to its default class.
    _parts: ClassVar[dict[str, type]] = {}

    def _part(self, name: str):
        """The part ``name`` as the parameters give it (None: the default)."""
        part = getattr(self, name)
        return self._parts[name]() if part is None else part

    def set_params(self, **params):
        """Set parameters, nested ones (``<part>__<name>``) included.

        A nested parameter of a part left at None first sets that part to its
        default, so grids over the parts' parameters need no explicit parts.

        Parameters
        ----------
        **params : dict
            Parameter names and values.

        Returns
        -------
        object
            The estimator (``self``).
        """
        for name, default in self._parts.items():
            nested = any(key.startswith(f"{name}__") for key in params)
            if nested and params.get(name, getattr(self, name)) is None:
                params = {**params, name: default()}
        return super().set_params(**params)

    def _fitted_json(self) -> dict:
        """The fitted state besides the parts, as JSON values."""
        raise NotImplementedError

    def _restore(self, data: dict, parts: dict) -> None:
        """Become fitted from ``_fitted_json``'s ``data`` and the loaded
        ``parts``; raise :class:`SavedStateError` if they disagree."""
        raise NotImplementedError

    def _saved_entries(self) -> dict:
        """The entries of a save besides the parameters."""
        first = next(iter(self._parts))
        if not hasattr(self, f"{first}_"):
            return {"fitted": "null"}
        entries = {"fitted": json.dumps(self._fitted_json())}
        for name in self._parts:
            for key, value in getattr(self, f"{name}_")._saved_entries().items():
                entries[f"{name}.{key}"] = value
        return entries

    def _load_saved(self, entries: dict, allow_imports=()) -> None:
        """Make this unfitted estimator the fitted one of a save's entries."""
        data = json_entry(entries, "fitted", dict, nullable=True)
        if data is None:
            return
        parts = {}
        for name in self._parts:
            part = clone(self._part(name))
            if hasattr(self, "device"):
                part.set_params(device=str(self.device))
            prefix = f"{name}."
            part._load_saved(
                {
                    key[len(prefix) :]: value
                    for key, value in entries.items()
                    if key.startswith(prefix)
                },
                allow_imports,
            )
            try:
                check_is_fitted(part)
            except NotFittedError:
                raise SavedStateError(f"its {name} is not fitted") from None
            parts[name] = part
        self._restore(data, parts)
