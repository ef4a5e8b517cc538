# The planted bugs ("mutants") of tests/mutation/run.sh. Each is a realistic slip in one
# file; the tests named for it must catch it (some test fails), or the suite has a gap.
#
#   name         how run.sh and its report refer to it
#   file         the file it changes, relative to the repository root
#   find         text that must occur exactly once in that file (run.sh stops otherwise:
#                the code has moved on and the mutant must be updated to match it)
#   replace      what that text becomes
#   tests        {test binary: gtest filter}: the area whose tests must catch it
#   description  one line: the bug, as a user would meet it
#
# find and replace are exact, whitespace included, and may span lines.

MUTANTS = [
    dict(
        name="finish_drops_x",
        file="kernels/admm_residuals.hpp",
        find="""\
  if (!meets) return false;
  copy(g, w.x, x, n);
""",
        replace="""\
  if (!meets) return false;
""",
        tests={"test_backend": "AdmmForward*:Reliability*:BatchPhaseForward*:MarosMeszaros*"},
        description="accept_if_converged forgets to copy the candidate x out: polish (or the "
        "interior point) reports success but the ADMM x is returned (with the new y)",
    ),
    dict(
        name="backward_dA_sign",
        file="kernels/backward.hpp",
        find="put(row + j, out.add_A, wi * x[j] + yi * dx[j]);",
        replace="put(row + j, out.add_A, wi * x[j] - yi * dx[j]);",
        tests={"test_backend": "Backward*", "test_unit": "BackwardKernel*"},
        description="dL/dA = w x*^T + y* dx^T assembled as w x*^T - y* dx^T",
    ),
    dict(
        name="skip_rho_refactor",
        file="kernels/admm_solve.hpp",
        find="""\
        set_rho_vector(g, m, rho, prm, w);
        factored = false;
""",
        replace="""\
        set_rho_vector(g, m, rho, prm, w);
""",
        tests={"test_backend": "AdmmForward*"},
        description="an adaptive rho update changes the rho vector but keeps the factorization "
        "of the old rho (until a rejected polish happens to force a refactor)",
    ),
    dict(
        name="unscale_y_without_cost_scale",
        file="kernels/admm_solve.hpp",
        find="y[w.cones.user_row(r)] = w.E[r] * ys[r] * c_inv;",
        replace="y[w.cones.user_row(r)] = w.E[r] * ys[r];",
        tests={"test_backend": "AdmmForward*:Reliability*"},
        description="write_unscaled returns y = E y_bar, forgetting to divide by the cost scale c",
    ),
    dict(
        name="interior_point_wrong_step",
        file="kernels/interior_point.hpp",
        find="return min_of(T(1), T(0.99) * -g.max(-step));",
        replace="return min_of(T(1), -g.max(-step));",
        tests={"test_backend": "AdmmForward*Interior*:AdmmForwardRescue*"},
        description="the fraction-to-boundary factor 0.99 is lost: a blocked step lands on the "
        "boundary, a slack or multiplier reaches zero and the next Newton step divides by it",
    ),
    dict(
        name="batch_phase_neighbour_column",
        file="src/cpu/batch_phase_forward.cpp",
        find="for (Matrix<T>* mat : {&x, &z, &y, &x_prev, &y_prev, &q, &l, &u}) mat->col(kept) = mat->col(k);",
        replace="for (Matrix<T>* mat : {&x, &z, &y, &x_prev, &y_prev, &l, &u}) mat->col(kept) = mat->col(k);",
        tests={"test_backend": "BatchPhaseForward*"},
        description="the batch phase's compaction moves every column but q: once a problem has "
        "left, each problem after it iterates (and is checked) with its neighbour's q",
    ),
    dict(
        name="active_set_sign",
        file="kernels/polish.hpp",
        find="if (u - z < y) return 1;",
        replace="if (u - z < -y) return 1;",
        tests={"test_backend": "AdmmForward*:Reliability*"},
        description="guess_active_set marks a row upper-active when u - z < -y (not < y): "
        "upper-active rows are missed and left to the active-set corrections",
    ),
    dict(
        name="termination_uses_primal_tolerance_for_dual",
        file="kernels/admm_solve.hpp",
        find="if (res.prim <= eps_prim && res.dual <= eps_dual && admm_complementarity_holds(",
        replace="if (res.prim <= eps_prim && res.dual <= eps_prim && admm_complementarity_holds(",
        tests={"test_backend": "AdmmForward*"},
        description="the termination test holds the dual residual to the primal tolerance "
        "(eps_abs + eps_rel * primal scale)",
    ),
    dict(
        name="cone_projection_without_half",
        file="kernels/second_order_cone.hpp",
        find="const T half = T(0.5) * (norm + t);",
        replace="const T half = norm + t;",
        tests={"test_unit": "SecondOrderCone*", "test_backend": "Socp*"},
        description="the projection onto the second-order cone scales the outside case by ‖w‖ + t "
        "instead of (‖w‖ + t)/2: a point outside the cone is pushed past its boundary",
    ),
    dict(
        name="cone_curvature_sign",
        file="kernels/cone_backward.hpp",
        find="add_cone_curvature(g, w.hessian, n, B, d, v, coef);",
        replace="add_cone_curvature(g, w.hessian, n, B, d, v, -coef);",
        tests={"test_backend": "BackwardSocp*"},
        description="the backward adds a boundary block's curvature λÂᵀ∇²φÂ with the wrong sign",
    ),
]
