"""bpqp: batched convex QPs as a differentiable PyTorch layer.

    x = bpqp.qp_layer(P, q, A, l, u)      # minimize ½xᵀPx + qᵀx  s.t.  l ≤ Ax ≤ u
    loss(x).backward()                      # gradients for P, q, A, l, u (BPQP)

Shapes: P (n, n), q (n), A (m, n), l, u (m), each with an optional leading batch
dimension. An input without it (or expanded, stride 0) is shared by the batch and
receives the SUM of the per-problem gradients. P is used as ½(P + Pᵀ); P=None is an LP,
A=None no constraints, l/u=None unbounded rows (±inf entries are unbounded too).
One dtype (float32 or float64) and one device (CPU or CUDA) for all inputs.

The operators (torch.ops.bpqp.qp_solve, qp_solve_backward) and their autograd are
registered in C++ (libbpqp_torch); this package loads them and adds the fake kernels
that torch.compile traces with, a vmap rule, and the module wrappers.
"""
import enum
import glob
import os
import warnings

import torch

from . import _registrations  # noqa: F401  (fake kernels and the vmap rule)


def _load_operators():
    path = os.environ.get("BPQP_TORCH_LIBRARY")
    if not path:
        here = os.path.dirname(os.path.abspath(__file__))
        found = sorted(glob.glob(os.path.join(here, "libbpqp_torch*.so")))
        if not found:
            raise ImportError(f"bpqp: libbpqp_torch.so not found in {here}; install with "
                              "`pip install --no-build-isolation .` from a bpqp clone")
        path = found[0]
    torch.ops.load_library(path)


_load_operators()
_registrations.register()

#: The forward statuses (status output, int32), e.g. ``status == bpqp.Status.solved``.
Status = enum.IntEnum("Status", {name: value for value, name in enumerate(torch.ops.bpqp.status_names())})

_SETTINGS = ("eps_abs", "eps_rel", "max_iter", "polish", "interior_point_fallback", "check_convexity",
             "batch_phase", "active_tolerance", "lp_smoothing", "on_failure")
#: Former names still accepted (with a DeprecationWarning), and the setting each became.
_FORMER_NAMES = {"shared_data_batch_phase": "batch_phase"}


def _check_settings(settings, where):
    unknown = set(settings) - set(_SETTINGS) - set(_FORMER_NAMES)
    if unknown:
        raise TypeError(f"{where}: unknown settings {sorted(unknown)}; known: {list(_SETTINGS)}")


def _current_names(settings, where):
    """settings with former names replaced by the current ones (warning that they are deprecated);
    a False under either name turns the setting off, as in the C++ Settings."""
    settings = dict(settings)
    for former, current in _FORMER_NAMES.items():
        if former in settings:
            warnings.warn(f"{where}: the setting {former} is deprecated; use {current}", DeprecationWarning,
                          stacklevel=3)
            settings[current] = bool(settings.pop(former)) and bool(settings.get(current, True))
    return settings


def qp_layer(P, q, A=None, l=None, u=None, *, return_duals=False, **settings):
    """Solves minimize ½xᵀPx + qᵀx s.t. l ≤ Ax ≤ u for every problem of the batch.

    Returns x, or (x, y, status) with ``return_duals=True`` (duals with Px + q + Aᵀy = 0;
    status an int32 tensor of :class:`Status` values, not differentiable).

    Settings (keyword only): eps_abs, eps_rel (None: 1e-5 double, 1e-4 float), max_iter
    (10000), polish (True), interior_point_fallback (True), check_convexity (True: a P that
    is not PSD is that problem's invalid_input), batch_phase (True: one factorization for a batch
    sharing P and A; its former name shared_data_batch_phase is deprecated),
    active_tolerance (the backward's active-set threshold; None: eps_abs), lp_smoothing
    (γ ≥ 0 of the backward; > 0 makes an LP's gradients informative), on_failure ("warn":
    unsolved problems keep their status, the solver's x and y, zero gradients, and a warning
    says how many and why; "raise": raise naming them; "ignore"). On CUDA, "warn" and
    "raise" read the statuses, which waits for the stream; "ignore" never waits.
    """
    _check_settings(settings, "bpqp.qp_layer")
    settings = _current_names(settings, "bpqp.qp_layer")
    python_warns = _python_warns(settings, (P, q, A, l, u))
    x, y, status = torch.ops.bpqp.qp_solve(P, q, A, l, u, **(dict(settings, on_failure="ignore")
                                                             if python_warns else settings))
    if python_warns:
        message = torch.ops.bpqp.failure_warning(status)
        if message:
            warnings.warn(message, RuntimeWarning, stacklevel=2)
    return (x, y, status) if return_duals else x


def _python_warns(settings, data):
    """Whether qp_layer raises the failure warning itself. The op's own warning reaches only
    the C++ log when called from Python, so in eager mode the op is told to ignore failures
    and qp_layer warns; under torch.compile or vmap (which cannot read the statuses) the
    op's warning is left on."""
    if settings.get("on_failure", "warn") != "warn" or torch.compiler.is_compiling():
        return False
    return not any(t is not None and torch._C._functorch.is_functorch_wrapped_tensor(t) for t in data)


class QPLayer(torch.nn.Module):
    """:func:`qp_layer` as a module: ``QPLayer(**settings)(P, q, A, l, u)``."""

    def __init__(self, return_duals=False, **settings):
        super().__init__()
        _check_settings(settings, "bpqp.QPLayer")
        self.return_duals = return_duals
        self.settings = settings

    def forward(self, P, q, A=None, l=None, u=None):
        return qp_layer(P, q, A, l, u, return_duals=self.return_duals, **self.settings)


def _given(t):
    return t is not None and t.numel() > 0


def optnet_layer(Q, p, G=None, h=None, A=None, b=None, **settings):
    """qpth's form: minimize ½zᵀQz + pᵀz s.t. Gz ≤ h, Az = b (qpth.qp.QPFunction()(Q, p, G, h, A, b)).

    Empty tensors (qpth's way of leaving out G, h or A, b) and None are both accepted.
    Returns z. Unlike qpth, a shared input receives the sum of the gradients, not their mean.
    """
    rows, lower, upper = [], [], []
    batch = [t.shape[0] for t, rank in ((Q, 2), (p, 1), (G, 2), (h, 1), (A, 2), (b, 1))
             if _given(t) and t.dim() == rank + 1]
    if _given(G):
        rows.append(G)
        lower.append(torch.full_like(h, float("-inf")))
        upper.append(h)
    if _given(A):
        rows.append(A)
        lower.append(b)
        upper.append(b)
    if not rows:
        return qp_layer(Q, p, **settings)
    if len(rows) == 2 and batch:
        # Concatenating rows needs one batch-ness; expand (no copy) what is shared.
        def batched(t, rank):
            return t if t.dim() == rank + 1 else t.expand(batch[0], *t.shape)
        rows = [batched(t, 2) for t in rows]
        lower = [batched(t, 1) for t in lower]
        upper = [batched(t, 1) for t in upper]
    return qp_layer(Q, p, torch.cat(rows, dim=-2), torch.cat(lower, dim=-1), torch.cat(upper, dim=-1), **settings)


__all__ = ["Status", "qp_layer", "QPLayer", "optnet_layer"]
