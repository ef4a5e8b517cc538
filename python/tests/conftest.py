import atexit
import os
import shutil
import tempfile

# torch.compile's caches (inductor's FX graph cache, AOTAutograd's) in a folder of this run,
# removed at its end: their key missed a change of our operator's schema, and a graph cached
# by an earlier bpqp (in the shared /tmp/torchinductor_$USER) called bpqp::qp_solve with a
# renamed argument. A folder the caller chose is left as it is.
if "TORCHINDUCTOR_CACHE_DIR" not in os.environ:
    os.environ["TORCHINDUCTOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="bpqp-inductor-")
    atexit.register(shutil.rmtree, os.environ["TORCHINDUCTOR_CACHE_DIR"], ignore_errors=True)

import pytest  # noqa: E402
import torch  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line("markers", "gpu: needs a CUDA device (skipped, with the reason, without one)")


def random_qp(batch, n, m, *, dtype=torch.float64, seed=0, lp=False, requires_grad=True):
    """A random strictly convex QP (or LP) whose solution has active and inactive rows.

    Bounds straddle the unconstrained optimum's image so that some rows bind; generic
    data gives strict complementarity, so the solution map is differentiable there."""
    g = torch.Generator().manual_seed(seed)
    shape = () if batch is None else (batch,)
    M = torch.randn(*shape, n, n, generator=g, dtype=dtype)
    P = None if lp else M @ M.mT / n + 0.5 * torch.eye(n, dtype=dtype)
    q = torch.randn(*shape, n, generator=g, dtype=dtype)
    A = torch.randn(*shape, m, n, generator=g, dtype=dtype)
    l = -torch.rand(*shape, m, generator=g, dtype=dtype) - 0.1
    u = torch.rand(*shape, m, generator=g, dtype=dtype) + 0.1
    data = [P, q, A, l, u]
    if requires_grad:
        data = [None if t is None else t.requires_grad_() for t in data]
    return data


def kkt_residuals(P, q, A, l, u, x, y):
    """Stationarity and primal infeasibility of (x, y) (P used as ½(P + Pᵀ))."""
    Ps = 0.5 * (P + P.mT) if P is not None else 0
    Px = (Ps @ x.unsqueeze(-1)).squeeze(-1) if P is not None else 0
    stationarity = Px + q + (A.mT @ y.unsqueeze(-1)).squeeze(-1)
    Ax = (A @ x.unsqueeze(-1)).squeeze(-1)
    infeasibility = torch.clamp(l - Ax, min=0) + torch.clamp(Ax - u, min=0)
    return stationarity.abs().max().item(), infeasibility.abs().max().item()


@pytest.fixture
def cuda_device():
    if not torch.cuda.is_available():
        pytest.skip(f"no usable CUDA device (torch.cuda.is_available() is False; torch {torch.__version__}, "
                    f"built for CUDA {torch.version.cuda})")
    return torch.device("cuda", 0)
