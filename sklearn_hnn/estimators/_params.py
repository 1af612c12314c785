"""Parameters as scikit-learn and skorch users set them.

:class:`PrefixedParamsMixin` adds two things to scikit-learn's parameter
handling: keyword arguments prefixed ``module__`` or ``optimizer__`` (skorch's
convention for what reaches the module's and the optimizer's constructors)
are parameters like the named ones, and ``set_params`` sets all or none.
"""

from __future__ import annotations

import inspect

from sklearn_hnn._codec import has_params

#: Prefixes of the keyword arguments routed to the module and the optimizer.
PREFIXES = ("module__", "optimizer__")


def takes_argument(cls: type, name: str) -> bool:
    """Whether ``cls(...)`` accepts the keyword argument ``name``."""
    parameters = inspect.signature(cls).parameters
    return name in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )


def _takes_prefixed(estimator) -> bool:
    """Whether the estimator's ``__init__`` takes ``**kwargs``, through which
    prefixed parameters reach a clone."""
    init = type(estimator).__init__
    code = getattr(init, "__code__", None)
    return code is not None and bool(code.co_flags & inspect.CO_VARKEYWORDS)


class PrefixedParamsMixin:
    """``module__``/``optimizer__`` parameters and all-or-none ``set_params``.

    An estimator's ``__init__`` passes its ``**kwargs`` to
    :meth:`_set_prefixed`; :meth:`_prefixed` reads them back by prefix. A
    class whose ``__init__`` takes no ``**kwargs`` takes no prefixed
    parameters (``set_params`` refuses them, as ``clone`` could not pass them
    on).
    """

    # ------------------------------------------------------ prefixed params

    def _set_prefixed(self, kwargs: dict) -> None:
        """Store ``module__``/``optimizer__`` keyword arguments of ``__init__``."""
        for name, value in kwargs.items():
            if not name.startswith(PREFIXES) or name in PREFIXES:
                raise TypeError(
                    f"{type(self).__name__}.__init__() got an unexpected keyword "
                    f"argument {name!r}; only parameters prefixed 'module__' or "
                    "'optimizer__' may be added."
                )
            setattr(self, name, value)

    def _prefixed(self, prefix: str) -> dict:
        """The keyword arguments set with ``prefix``, without it."""
        return {
            name[len(prefix) :]: value
            for name, value in vars(self).items()
            if name.startswith(prefix) and name != prefix
        }

    def get_params(self, deep: bool = True) -> dict:
        """Parameters of this estimator, ``module__``/``optimizer__`` ones included.

        Parameters
        ----------
        deep : bool, default=True
            Also return the parameters of components (``differentiation__...``).

        Returns
        -------
        dict
            Parameter names mapped to their values.
        """
        params = super().get_params(deep=deep)
        params.update(
            {
                name: value
                for name, value in vars(self).items()
                if name.startswith(PREFIXES)
            }
        )
        return params

    def set_params(self, **params):
        """Set parameters, all or none.

        As :meth:`sklearn.base.BaseEstimator.set_params`, except that a call
        that fails changes nothing: every name is checked before any is set,
        and if a value is then refused (a nested ``differentiation__...``
        one, say), the parameters set before it are put back. New
        ``module__``/``optimizer__`` names may be set.

        Parameters
        ----------
        **params
            Parameter names (``name`` or ``component__name``) and their values.
            A component replaced in the same call takes its nested values.

        Returns
        -------
        self
            This estimator.
        """
        valid = self.get_params(deep=True)
        for name, value in params.items():  # a replaced component's own names
            if "__" not in name and name in valid:
                valid = {
                    key: item
                    for key, item in valid.items()
                    if not key.startswith(f"{name}__")
                }
                if has_params(value):
                    nested = value.get_params(deep=True).items()
                    valid.update({f"{name}__{key}": item for key, item in nested})
        prefixed = {
            n: v
            for n, v in params.items()
            if n.startswith(PREFIXES) and n not in PREFIXES and _takes_prefixed(self)
        }
        unknown = [
            name for name in params if name not in valid and name not in prefixed
        ]
        if unknown:
            raise ValueError(
                f"Invalid parameter {unknown[0]!r} for estimator "
                f"{type(self).__name__}; nothing was set. Valid parameters "
                f"are: {sorted(self.get_params(deep=False))!r}."
            )
        before = self.get_params(deep=False)
        # Every component the call may change, old or new, with its values.
        components = [
            (value, value.get_params(deep=False))
            for value in [*before.values(), *params.values()]
            if has_params(value)
        ]
        rest = {n: v for n, v in params.items() if n not in prefixed}
        try:
            for name, value in prefixed.items():
                setattr(self, name, value)
            return super().set_params(**rest)
        except BaseException:
            for name in prefixed:
                if name not in before:
                    delattr(self, name)
            for name, value in before.items():
                setattr(self, name, value)
            for component, values in components:
                component.set_params(**values)
            raise
