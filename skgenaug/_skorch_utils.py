"""skorch settings shared by the samplers' networks and the classifier's."""

from skorch.callbacks import PrintLog, ProgressBar


def verbosity_callbacks(verbose):
    """The skorch callbacks and ``verbose`` value of a skgenaug ``verbose`` level.

    ``0`` is silent and adds no :class:`~skorch.callbacks.PrintLog` at all (a silent
    one still formats its table every epoch); ``1`` adds skorch's table, a line per
    epoch; ``2`` also a progress bar per epoch. The nets that take these callbacks
    leave ``PrintLog`` out of their defaults (:class:`NoDefaultPrintLog`).

    Parameters
    ----------
    verbose : int or bool
        The estimator's ``verbose``.

    Returns
    -------
    callbacks : list of (str, skorch.callbacks.Callback)
        Named callbacks to append to the net's ``callbacks``.
    skorch_verbose : int
        The net's ``verbose``: 1 when anything is printed, else 0.
    """
    callbacks = []
    if verbose:
        callbacks.append(("print_log", PrintLog()))
        if verbose >= 2:
            callbacks.append(("progress", ProgressBar()))
    return callbacks, int(bool(verbose))


class NoDefaultPrintLog:
    """Mixin for skorch nets: no ``PrintLog`` among the default callbacks, so that
    :func:`verbosity_callbacks` decides whether there is one."""

    @property
    def _default_callbacks(self):
        defaults = super()._default_callbacks
        return [(name, callback) for name, callback in defaults if name != "print_log"]
