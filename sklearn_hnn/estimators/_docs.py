"""Parameter and attribute documentation shared by the dynamics estimators."""

PARAMETERS_DOC = """\
    hidden_layer_sizes : int or tuple of int, default=(200, 200)
        Width of each hidden layer of the network; at least one layer.

    activation : {"tanh", "softplus", "sigmoid", "silu", "gelu", "elu", "relu"} \
or torch.nn.Module class, default="tanh"
        Activation after each hidden layer: a name, or a module class built
        without arguments (``torch.nn.Mish``). Use a smooth one for
        Hamiltonian models, whose dynamics are a derivative of the network.

    module : torch.nn.Module class or instance, or None, default=None
        A network of your own instead of the MLP of ``hidden_layer_sizes``
        and ``activation`` (see the estimator for what it must map). A class
        is built with the ``module__<name>`` keyword arguments given to the
        estimator; an instance is copied at each ``fit``, never shared.

    angles : sequence of int or None, default=None
        Columns of ``X`` that hold angles (in radians), fed to the networks
        as ``(cos q, sin q)`` so that the learned dynamics are periodic in
        them (see :class:`~sklearn_hnn.nn.features.AngleFeatures`). For
        models of ``[q, p]`` states they must be positions (the first half of
        the columns). Not with a ``module`` of your own.

    optimizer : {"adam", "adamw", "sgd", "rmsprop"} or torch optimizer class, \
default="adam"
        Optimizer of the network weights: a name, or a subclass of
        ``torch.optim.Optimizer`` built with ``lr``, ``weight_decay`` if its
        constructor takes it (one that does not needs ``weight_decay=0``), and
        any ``optimizer__<name>`` keyword arguments given to the estimator
        (``optimizer__momentum=0.9``, ``optimizer__betas=(0.9, 0.99)``).

    lr : float, default=1e-3
        Learning rate.

    weight_decay : float, default=0.0
        L2 penalty passed to the optimizer.

    max_epochs : int, default=2000
        Passes over the training data. With ``batch_size=None`` an epoch is one
        optimizer step, so the default is the paper's 2000 full-batch steps.

    batch_size : int or None, default=None
        Samples per optimizer step; ``None`` uses the whole training set.

    validation_fraction : float in [0, 1), default=0.0
        Fraction of the samples held out to record ``valid_loss`` in the
        history (needed by callbacks such as ``EarlyStopping``). ``0`` holds
        out nothing. For trajectory data, prefer passing held-out trajectories
        yourself: a random split of points leaks neighbouring samples.

    differentiation : {"central", "forward", "backward", "savgol"} or \
Differentiator, default="central"
        How ``fit`` and ``score`` estimate ``dX/dt`` when they are given
        trajectories (``t``, and optionally ``groups``) instead of ``y``; see
        :func:`~sklearn_hnn.differentiation.time_derivative`. Unused when ``y``
        is given.

    objective : {"derivative", "rollout"} or Objective, default="derivative"
        What the network is trained to match (see
        :mod:`sklearn_hnn.objectives`): ``"derivative"`` matches ``dX/dt`` in
        mean squared error, the paper's objective; ``"rollout"`` integrates
        the model with RK4 over chunks of ``rollout_length`` consecutive
        points of each trajectory and matches the states (``fit(X, t=t,
        groups=groups)``, no ``y``), as Gruver et al. (2022) train. An
        instance's own parameters are reached as ``objective__<name>``.

    rollout_length : int, default=5
        Points per training chunk with ``objective="rollout"`` (at least 2;
        every trajectory must have that many). Unused with any other
        objective, and with an objective instance, which carries its own.

    normalize : {"auto", True, False}, default="auto"
        Train on ``(X - X_offset_) / X_scale_`` and ``y / y_scale_``, with one
        offset per column but a single scale for all of ``X`` and one for
        ``y``, and map every output back. Single scales keep the learned
        dynamics Hamiltonian: the learned energy is ``X_scale_ * y_scale_``
        times the network's. ``"auto"`` normalises only data far from unit
        scale (root mean square of ``X`` or of ``y`` outside ``[1e-2, 1e2]``),
        where the network's units would saturate or barely move; data near unit
        scale, like the paper's, are used as given.

    compile : {"auto", True, False}, default="auto"
        Train with a compiled step: the loss and its weight gradients written
        with ``torch.func`` and compiled by ``torch.compile`` (see
        :func:`~sklearn_hnn.nn.compiled.compile_training_step`), with the same
        numbers as the eager step to float rounding. The first step compiles,
        which takes seconds, so ``"auto"`` compiles only fits that process at
        least ``COMPILE_MIN_SAMPLES`` (10^7) samples (``max_epochs`` times the
        training rows, those held out by ``validation_fraction`` not
        counted), where compiling repays itself (see the benchmarks in the
        documentation). If compiling fails (no C++ compiler, an unsupported
        module), training warns and goes on eagerly.

    warm_start : bool, default=False
        When True and the estimator is already fitted on data of the same
        width, ``fit`` continues training the current weights, with the
        optimizer's state, for ``max_epochs`` more epochs, and appends to
        ``history_``. See also :meth:`partial_fit`.

    callbacks : list of skorch callbacks or None, default=None
        Passed to the skorch net, for example ``EarlyStopping``,
        ``LRScheduler``, ``Checkpoint`` or ``ProgressBar``: instances,
        classes, or ``(name, callback)`` pairs, as skorch takes them. They are
        copied at each ``fit``, so the objects given here are never modified.

    device : str or torch.device, default="cpu"
        Where to train and run the network, for example ``"cuda"``.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and the validation split. Torch's
        global random state is left as it was.

    verbose : int, default=0
        ``0`` is silent; ``1`` draws one progress bar over the epochs, with
        the training loss and the time left; ``2`` or more prints skorch's
        per-epoch table instead."""

NORMALIZATION_ATTRIBUTES_DOC = """\
    X_offset_ : ndarray of shape (`n_features_in_`,) or None
        Per-column offset subtracted from ``X`` before the network; None when
        the data were used as given (see ``normalize``).
    X_scale_, y_scale_ : float
        Scales of ``X`` (after the offset) and of ``y`` for the network; 1.0
        when the data were used as given.
"""


#: Parameters of the structured families (no ``module``), in signature order,
#: before ``symplectic_penalty`` where a family takes it ...
STRUCTURED_PARAMETERS = (
    "hidden_layer_sizes",
    "activation",
    "angles",
    "optimizer",
    "lr",
    "weight_decay",
    "max_epochs",
    "batch_size",
    "validation_fraction",
    "differentiation",
    "objective",
    "rollout_length",
)
#: ... and after it.
TRAINING_PARAMETERS = (
    "normalize",
    "compile",
    "warm_start",
    "callbacks",
    "device",
    "random_state",
    "verbose",
)


def parameters_doc(*names: str, **replaced: str) -> str:
    """The entries of :data:`PARAMETERS_DOC` for the parameters ``names``, in
    that order, with the entry of each name in ``replaced`` replaced by its
    text there (for a different default)."""
    entries = {}
    for entry in PARAMETERS_DOC.split("\n\n"):
        entries[entry.split(":", 1)[0].strip()] = entry
    return "\n\n".join(replaced.get(name, entries[name]) for name in names)


SYMPLECTIC_PENALTY_DOC = """\
    symplectic_penalty : float, default=0.0
        Weight of the penalty ``||(J DF)^T - J DF||^2`` on the Jacobian ``DF``
        of the learned field at the training states (Gruver et al., 2022),
        which pushes the field towards a locally Hamiltonian one; ``0`` adds
        none. It needs canonical ``[q, p]`` states (``y`` shaped like ``X``,
        of even width): in other coordinates, such as ``[q, dq/dt]``, true
        dynamics need not be symplectic. A penalised fit trains eagerly
        (``compile`` is not used), and ``valid_loss`` leaves the penalty
        out."""


def state_attributes_doc(module: str) -> str:
    """The Attributes section of a model of ``[q, p]``-shaped states whose
    trained network is the torch module class ``module`` (a dotted path)."""
    return (
        f"""
    Attributes
    ----------
    n_features_in_ : int
        Width ``2d`` of the states seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` had string column names.
    n_outputs_ : int
        Equal to ``n_features_in_``.
    net_ : skorch.NeuralNet
        The trained skorch net.
    module_ : {module}
        The trained network, ``net_.module_``.
    history_ : skorch.History
        Per-epoch training record (``train_loss``, ``valid_loss``, ...).
"""
        + NORMALIZATION_ATTRIBUTES_DOC
    )
