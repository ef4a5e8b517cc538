"""The bpqp layer in PyTorch: gradients against finite differences, the operators'
registrations (opcheck), torch.compile, shared inputs, failures, errors, vmap."""
import warnings

import pytest
import torch

import bpqp
from conftest import kkt_residuals, random_qp

TIGHT = dict(eps_abs=1e-10, eps_rel=1e-10)


def solve_x(*data, **settings):
    return bpqp.qp_layer(*data, **TIGHT, **settings)


@pytest.mark.parametrize("batch", [None, 3])
def test_the_forward_meets_the_kkt_conditions(batch):
    P, q, A, l, u = random_qp(batch, 6, 4, requires_grad=False)
    x, y, status = bpqp.qp_layer(P, q, A, l, u, return_duals=True, **TIGHT)
    assert x.shape == q.shape and y.shape == l.shape and status.dtype == torch.int32
    assert (status == bpqp.Status.solved).all()
    stationarity, infeasibility = kkt_residuals(P, q, A, l, u, x, y)
    assert stationarity < 1e-8 and infeasibility < 1e-8


@pytest.mark.parametrize("batch", [None, 3])
def test_gradients_of_every_input_match_finite_differences(batch):
    data = random_qp(batch, 5, 4, seed=1)
    assert torch.autograd.gradcheck(solve_x, tuple(data), eps=1e-6, atol=1e-5, rtol=1e-4)


def test_gradients_of_the_duals_match_finite_differences():
    data = random_qp(2, 5, 4, seed=2)

    def duals(*d):
        return bpqp.qp_layer(*d, return_duals=True, **TIGHT)[1]

    assert torch.autograd.gradcheck(duals, tuple(data), eps=1e-6, atol=1e-5, rtol=1e-4)


def test_shared_inputs_get_the_sum_of_the_per_problem_gradients():
    B, n, m = 4, 5, 3
    P, _, A, l, u = random_qp(None, n, m, seed=3)
    q = torch.randn(B, n, dtype=torch.float64, generator=torch.Generator().manual_seed(4))
    # P, A, l, u shared by the batch (unbatched) ...
    x = solve_x(P, q, A, l, u)
    weights = torch.arange(1.0, B * n + 1, dtype=torch.float64).reshape(B, n)
    shared = torch.autograd.grad((weights * x).sum(), (P, A, l, u))
    # ... against the same problems given one copy each.
    copies = [t.detach().expand(B, *t.shape).clone().requires_grad_() for t in (P, A, l, u)]
    x_copies = solve_x(copies[0], q, copies[1], copies[2], copies[3])
    per_problem = torch.autograd.grad((weights * x_copies).sum(), copies)
    for g_shared, g_each in zip(shared, per_problem):
        torch.testing.assert_close(g_shared, g_each.sum(0), rtol=1e-7, atol=1e-9)


def test_expanded_inputs_are_shared_and_get_the_summed_gradient():
    B, n, m = 3, 5, 3
    P, q, A, l, u = random_qp(B, n, m, seed=5)
    P0, A0 = P[0].detach().requires_grad_(), A[0].detach().requires_grad_()
    x = solve_x(P0.expand(B, n, n), q, A0.expand(B, m, n), l, u)
    g_expanded = torch.autograd.grad(x.square().sum(), (P0, A0))
    x_shared = solve_x(P0, q, A0, l, u)
    g_shared = torch.autograd.grad(x_shared.square().sum(), (P0, A0))
    torch.testing.assert_close(x, x_shared)
    for a, b in zip(g_expanded, g_shared):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


def test_p_is_used_as_its_symmetric_part_and_its_gradient_is_symmetric():
    P, q, A, l, u = random_qp(2, 5, 3, seed=6, requires_grad=False)
    skew = torch.randn(2, 5, 5, dtype=torch.float64)
    skew = skew - skew.mT
    Pn = (P + skew).requires_grad_()
    x = solve_x(Pn, q, A, l, u)
    torch.testing.assert_close(x, solve_x(P, q, A, l, u))
    (dP,) = torch.autograd.grad(x.sum(), Pn)
    torch.testing.assert_close(dP, dP.mT)


def test_an_lp_at_a_vertex_has_exact_gradients():
    # P = None: an LP. At a non-degenerate vertex x = A_𝒜⁻¹ b: its derivatives exist.
    n = 4
    g = torch.Generator().manual_seed(7)
    A = (torch.eye(n, dtype=torch.float64) + 0.1 * torch.randn(n, n, generator=g, dtype=torch.float64))
    l = -torch.rand(n, generator=g, dtype=torch.float64) - 0.5
    u = torch.rand(n, generator=g, dtype=torch.float64) + 0.5
    q = torch.randn(n, generator=g, dtype=torch.float64)
    data = (q.requires_grad_(), A.requires_grad_(), l.requires_grad_(), u.requires_grad_())

    def lp(q, A, l, u):
        return solve_x(None, q, A, l, u)

    assert torch.autograd.gradcheck(lp, data, eps=1e-6, atol=1e-6)


def test_a_smoothed_lp_has_gradients_that_match_finite_differences():
    # An LP made strictly convex by a small quadratic term: the solution moves with q.
    P, q, A, l, u = random_qp(2, 5, 3, seed=8, lp=True)
    P = (0.05 * torch.eye(5, dtype=torch.float64)).requires_grad_()
    assert torch.autograd.gradcheck(solve_x, (P, q, A, l, u), eps=1e-6, atol=1e-5, rtol=1e-4)


def test_lp_smoothing_makes_lp_gradients_informative():
    n = 4
    A = torch.eye(n, dtype=torch.float64)
    q = torch.randn(n, dtype=torch.float64, generator=torch.Generator().manual_seed(9)).requires_grad_()
    l, u = -torch.ones(n, dtype=torch.float64), torch.ones(n, dtype=torch.float64)
    (exact,) = torch.autograd.grad(solve_x(None, q, A, l, u).sum(), q)
    (smoothed,) = torch.autograd.grad(solve_x(None, q, A, l, u, lp_smoothing=1e-2).sum(), q)
    assert exact.abs().max() == 0  # x = a vertex: piecewise constant in q
    assert (smoothed < 0).all()    # one proximal step: x moves against q


def test_a_batch_with_an_infeasible_problem_reports_it_and_differentiates_the_others():
    B, n, m = 3, 5, 4
    P, q, A, l, u = random_qp(B, n, m, seed=10, requires_grad=False)
    l, u = l.clone(), u.clone()
    # Problem 1: two rows that are the same row with disjoint ranges.
    A = A.clone()
    A[1, 1] = A[1, 0]
    l[1, 0], u[1, 0], l[1, 1], u[1, 1] = 1.0, 2.0, -2.0, -1.0
    q = q.requires_grad_()
    with pytest.warns(RuntimeWarning, match=r"1 of 3 problems not solved \(primal_infeasible: 1\); problems 1"):
        x, y, status = bpqp.qp_layer(P, q, A, l, u, return_duals=True, **TIGHT)
    assert status.tolist() == [bpqp.Status.solved, bpqp.Status.primal_infeasible, bpqp.Status.solved]
    (dq,) = torch.autograd.grad(x.square().sum(), q)
    assert dq[1].abs().max() == 0
    for b in (0, 2):
        qb = q[b].detach().requires_grad_()
        (dqb,) = torch.autograd.grad(solve_x(P[b], qb, A[b], l[b], u[b]).square().sum(), qb)
        torch.testing.assert_close(dq[b], dqb)
    with pytest.raises(RuntimeError, match=r"problems 1 \(on_failure=\"raise\"\)"):
        bpqp.qp_layer(P, q, A, l, u, on_failure="raise")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bpqp.qp_layer(P, q, A, l, u, on_failure="ignore")


def test_a_problem_with_non_finite_data_is_its_own_invalid_input():
    P, q, A, l, u = random_qp(3, 4, 2, requires_grad=False)
    q = q.clone()
    q[2, 0] = float("nan")
    x, _, status = bpqp.qp_layer(P, q, A, l, u, return_duals=True, on_failure="ignore")
    assert status.tolist() == [bpqp.Status.solved, bpqp.Status.solved, bpqp.Status.invalid_input]
    assert torch.isfinite(x[:2]).all()


@pytest.mark.parametrize("bad, message", [
    (dict(q=torch.zeros(5, dtype=torch.float32)), r"A is Float but q is Double|q is Float"),
    (dict(A=torch.zeros(3, 4, dtype=torch.float64)), r"A has 4 columns, expected n = 5"),
    (dict(l=torch.zeros(2, dtype=torch.float64)), r"l has shape \(2\), expected 3 per problem"),
    (dict(P=torch.zeros(2, 5, 5, dtype=torch.float64), q=torch.zeros(3, 5, dtype=torch.float64)),
     r"batch size"),
    (dict(q=torch.zeros(5, dtype=torch.int64)), r"q must be float32 or float64"),
])
def test_misuse_raises_naming_the_argument(bad, message):
    P, q, A, l, u = random_qp(None, 5, 3, requires_grad=False)
    args = dict(P=P, q=q, A=A, l=l, u=u)
    args.update(bad)
    with pytest.raises(RuntimeError, match=message):
        bpqp.qp_layer(**args)


def test_unknown_settings_are_rejected():
    P, q, A, l, u = random_qp(None, 3, 2, requires_grad=False)
    with pytest.raises(TypeError, match="eps_ab"):
        bpqp.qp_layer(P, q, A, l, u, eps_ab=1e-3)
    with pytest.raises(RuntimeError, match="on_failure"):
        bpqp.qp_layer(P, q, A, l, u, on_failure="crash")


def test_the_former_name_of_batch_phase_still_works_and_warns():
    # A batch sharing P and A (the batch phase's case): the former name, False, must give the
    # per-problem path's answer bit for bit, as batch_phase=False does.
    P, q, A, l, u = random_qp(6, 8, 5, seed=13, requires_grad=False)
    shared = (P[0], q, A[0], l, u)
    expected = bpqp.qp_layer(*shared, batch_phase=False)
    with pytest.warns(DeprecationWarning, match="shared_data_batch_phase is deprecated; use batch_phase"):
        x = bpqp.qp_layer(*shared, shared_data_batch_phase=False)
    assert torch.equal(x, expected)


def test_float32_agrees_with_float64():
    data = random_qp(4, 6, 3, seed=11, requires_grad=False)
    x64 = bpqp.qp_layer(*data)
    x32 = bpqp.qp_layer(*[t.float() for t in data])
    assert x32.dtype == torch.float32
    torch.testing.assert_close(x32.double(), x64, rtol=1e-3, atol=1e-3)


def test_optnet_form_matches_the_osqp_form():
    Q, p, G, h, _ = random_qp(2, 5, 3, seed=12, requires_grad=False)
    Aeq = torch.randn(1, 5, dtype=torch.float64)
    b = torch.tensor([0.3], dtype=torch.float64)
    z = bpqp.optnet_layer(Q, p, G, h, Aeq, b, **TIGHT)
    x = solve_x(Q, p, torch.cat([G, Aeq.expand(2, 1, 5)], 1), torch.cat([torch.full_like(h, -float("inf")),
                                                                          b.expand(2, 1)], 1),
                torch.cat([h, b.expand(2, 1)], 1))
    torch.testing.assert_close(z, x)
    empty = torch.empty(0, dtype=torch.float64)
    torch.testing.assert_close(bpqp.optnet_layer(Q, p, G, h, empty, empty, **TIGHT),
                               bpqp.optnet_layer(Q, p, G, h, **TIGHT))


def test_the_status_names_are_the_libraries():
    assert bpqp.Status.solved == 0 and bpqp.Status(2).name == "primal_infeasible"
    assert [s.name for s in bpqp.Status] == list(torch.ops.bpqp.status_names())


def test_opcheck_forward_and_backward():
    P, q, A, l, u = random_qp(2, 4, 3, seed=13)
    torch.library.opcheck(torch.ops.bpqp.qp_solve.default, (P, q, A, l, u), dict(TIGHT))
    torch.library.opcheck(torch.ops.bpqp.qp_solve.default, (P, q, A, None, u), dict(TIGHT))
    with torch.no_grad():
        x, y, status = torch.ops.bpqp.qp_solve(P, q, A, l, u, **TIGHT)
    torch.library.opcheck(torch.ops.bpqp.qp_solve_backward.default,
                          (torch.ones_like(x), None, x, y, status, P.detach(), q.detach(), A.detach(), l.detach(),
                           u.detach(), [True] * 5))


class Allocation(torch.nn.Module):
    """A small model with the layer inside: q from a linear map, P a parameter."""

    def __init__(self, n, m):
        super().__init__()
        self.head = torch.nn.Linear(n, n, dtype=torch.float64)
        self.L = torch.nn.Parameter(torch.eye(n, dtype=torch.float64))
        self.layer = bpqp.QPLayer(**TIGHT)
        self.A = torch.randn(m, n, dtype=torch.float64, generator=torch.Generator().manual_seed(14))

    def forward(self, features):
        P = self.L @ self.L.T + 0.1 * torch.eye(self.L.shape[0], dtype=torch.float64)
        ones = torch.ones(self.A.shape[0], dtype=torch.float64)
        return self.layer(P, self.head(features), self.A, -ones, ones)


@pytest.mark.parametrize("backend", ["aot_eager", "inductor"])  # inductor: torch.compile's default
def test_torch_compile_fullgraph_traces_forward_and_backward(backend):
    torch.manual_seed(0)
    model = Allocation(5, 3)
    features = torch.randn(8, 5, dtype=torch.float64)
    eager = model(features).square().sum()
    eager_grads = torch.autograd.grad(eager, list(model.parameters()))
    compiled = torch.compile(model, fullgraph=True, backend=backend)
    loss = compiled(features).square().sum()
    grads = torch.autograd.grad(loss, list(model.parameters()))
    torch.testing.assert_close(loss, eager)
    for a, b in zip(grads, eager_grads):
        torch.testing.assert_close(a, b)


def test_vmap_over_batches_equals_one_bigger_batch():
    V, B = 3, 2
    P, q, A, l, u = random_qp(B, 5, 3, seed=15, requires_grad=False)
    qs = torch.randn(V, B, 5, dtype=torch.float64)
    mapped = torch.vmap(lambda qv: bpqp.qp_layer(P, qv, A, l, u, **TIGHT))(qs)
    for v in range(V):
        torch.testing.assert_close(mapped[v], bpqp.qp_layer(P, qs[v], A, l, u, **TIGHT))
    # A vmapped unbatched input, the others shared.
    single = torch.vmap(lambda qv: bpqp.qp_layer(P[0], qv, A[0], l[0], u[0], **TIGHT))(qs[:, 0])
    torch.testing.assert_close(single, bpqp.qp_layer(P[0], qs[:, 0], A[0], l[0], u[0], **TIGHT))
