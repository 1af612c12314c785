"""The ``angles`` parameter: which columns enter the networks as
``(cos q, sin q)`` (see :class:`~sklearn_hnn.nn.features.AngleFeatures`)."""

from __future__ import annotations

from typing import ClassVar

from sklearn_hnn.estimators._constraints import angle_columns


class AnglesMixin:
    """Records and checks an estimator's ``angles`` parameter."""

    #: Whether ``angles`` index positions (the first half of a ``[q, p]``
    #: state), as for models with that structure, or any column of ``X``.
    _angles_are_positions: ClassVar[bool] = True

    def _angles_record(self) -> dict:
        """``{"angles": sorted columns}`` when ``angles`` is set, else ``{}``
        (so that models fitted without it record what they always did)."""
        columns = angle_columns(getattr(self, "angles", None))
        return {} if columns is None else {"angles": columns}

    def _check_angles(self, n_features: int) -> None:
        """Raise a ValueError unless ``angles`` names columns that can be angles."""
        columns = angle_columns(getattr(self, "angles", None))
        if not columns:
            return
        if self._angles_are_positions:
            limit, what = n_features // 2, "positions (the first half of X)"
        else:
            limit, what = n_features, "columns of X"
        if columns[-1] >= limit:
            raise ValueError(
                f"angles={list(columns)} must index {what}, in [0, {limit}) for X of "
                f"{n_features} columns."
            )

    def _check_angles_without_module(self, module) -> None:
        """Raise a ValueError if ``angles`` is set with a network of the user's."""
        if module is not None and angle_columns(getattr(self, "angles", None)):
            raise ValueError(
                f"angles={self.angles!r} is set together with module={module!r}: "
                "angle features are fed to the built-in networks only. Compute "
                "them inside your module, or set angles=None."
            )
