"""skorch settings shared by the samplers' networks and the classifier's."""

from skorch.callbacks import Callback, PrintLog, ProgressBar
from torch.optim.swa_utils import AveragedModel


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


class ExponentialMovingAverage(Callback):
    """skorch callback keeping an exponential moving average (EMA) of the module's
    weights, and putting it into the module when training ends.

    After every training batch the average moves towards the current weights,
    ``average = d * average + (1 - d) * weights``, with the decay warmed up as
    ``d = min(decay, (1 + k) / (10 + k))`` after ``k`` updates: a plain ``decay`` of
    0.999 averages over about the last 1000 steps, which after a short training would
    still be mostly the random initial weights; the warm-up averages over about the last
    tenth of the steps taken until ``decay`` is reached. When training ends (also after
    an interrupt), the module's weights and buffers are replaced by the average: the
    module then holds the EMA weights, the raw weights of the last step are dropped.

    Parameters
    ----------
    decay : float, default=0.999
        Largest decay; 0 keeps the last weights.
    """

    def __init__(self, decay=0.999):
        self.decay = decay

    def initialize(self):
        self.average_ = None
        return self

    def _update(self, averages, currents, n_averaged):
        k = int(n_averaged)
        decay = min(float(self.decay), (1 + k) / (10 + k))
        for average, current in zip(averages, currents):
            if average.is_floating_point():
                average.lerp_(current.to(average.dtype), 1.0 - decay)
            else:  # counters such as batch norm's num_batches_tracked
                average.copy_(current)

    def on_train_begin(self, net, **kwargs):
        self.average_ = AveragedModel(
            net.module_, multi_avg_fn=self._update, use_buffers=True
        )

    def on_batch_end(self, net, training=False, **kwargs):
        if training:
            self.average_.update_parameters(net.module_)

    def on_train_end(self, net, **kwargs):
        if self.average_ is not None and int(self.average_.n_averaged) > 0:
            net.module_.load_state_dict(self.average_.module.state_dict())
        self.average_ = None  # the module holds it now; keep the pickle small
