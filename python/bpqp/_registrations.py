"""What Python adds to the C++ operators: fake (meta) kernels, so that torch.compile
(fullgraph=True) and torch.library.opcheck can trace the ops without running them, and a
vmap rule for the forward, which folds the vmapped dimension into the batch."""
import torch

_BASE_RANK = (2, 1, 2, 1, 1)  # P, q, A, l, u without the batch dimension


def _batch_of(inputs):
    for t, rank in zip(inputs, _BASE_RANK):
        if t is not None and t.dim() == rank + 1:
            return t.shape[0]
    return None


def _qp_solve_fake(P, q, A, l, u, eps_abs=None, eps_rel=None, max_iter=10000, polish=True,
                   interior_point_fallback=True, check_convexity=True, batch_phase=True,
                   active_tolerance=None, lp_smoothing=0.0, on_failure="warn"):
    n = q.shape[-1]
    m = A.shape[-2] if A is not None else 0
    batch = _batch_of((P, q, A, l, u))
    lead = () if batch is None else (batch,)
    return q.new_empty(lead + (n,)), q.new_empty(lead + (m,)), q.new_empty(lead, dtype=torch.int32)


def _qp_solve_backward_fake(grad_x, grad_y, x, y, status, P, q, A, l, u, output_mask,
                            active_tolerance=None, lp_smoothing=0.0):
    return tuple(t.new_empty(t.shape) if (t is not None and wanted) else q.new_empty((0,))
                 for t, wanted in zip((P, q, A, l, u), output_mask))


def _qp_solve_vmap(info, in_dims, P, q, A, l, u, *settings):
    """Solves the V vmapped batches as one batch of V·B problems (B = 1 when unbatched)."""
    V = info.batch_size
    data = [t if t is None or d is None else t.movedim(d, 0) for t, d in zip((P, q, A, l, u), in_dims)]
    mapped = [d is not None for d in in_dims]
    # An inner batch dimension, on a mapped input (rank base + 2) or an unmapped one (base + 1).
    inner = None
    for t, rank, is_mapped in zip(data, _BASE_RANK, mapped):
        if t is not None and t.dim() == rank + 1 + is_mapped:
            inner = t.shape[1] if is_mapped else t.shape[0]
    out = []
    for t, rank, is_mapped in zip(data, _BASE_RANK, mapped):
        if t is None or inner is None:
            out.append(t)  # mapped: (V, …) is the batch; unmapped: shared
            continue
        has_inner = t.dim() == rank + 1 + is_mapped
        if is_mapped and has_inner:
            t = t.reshape(V * inner, *t.shape[2:])
        elif is_mapped:
            t = t.unsqueeze(1).expand(V, inner, *t.shape[1:]).reshape(V * inner, *t.shape[1:])
        elif has_inner:
            t = t.unsqueeze(0).expand(V, *t.shape).reshape(V * inner, *t.shape[1:])
        out.append(t)  # an unmapped unbatched input stays shared
    if not any(mapped):
        return torch.ops.bpqp.qp_solve(*out, *settings), (None, None, None)
    x, y, status = torch.ops.bpqp.qp_solve(*out, *settings)
    if inner is not None:
        x, y, status = (x.reshape(V, inner, x.shape[-1]), y.reshape(V, inner, y.shape[-1]),
                        status.reshape(V, inner))
    return (x, y, status), (0, 0, 0)


def register():
    torch.library.register_fake("bpqp::qp_solve", _qp_solve_fake)
    torch.library.register_fake("bpqp::qp_solve_backward", _qp_solve_backward_fake)
    torch.library.register_vmap("bpqp::qp_solve", _qp_solve_vmap)
