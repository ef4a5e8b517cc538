// bpqp: batched QP/LP/SOCP solving (ADMM) and differentiation (BPQP). Include this for everything.
#pragma once

#include "bpqp/backward.hpp"
#include "bpqp/backward_status.hpp"
#include "bpqp/cones.hpp"
#include "bpqp/cpu_isa.hpp"
#include "bpqp/dense_qp.hpp"
#include "bpqp/device_gradients.hpp"
#include "bpqp/device_solution.hpp"
#include "bpqp/errors.hpp"
#include "bpqp/executor.hpp"
#include "bpqp/qp_batch.hpp"
#include "bpqp/qp_batch_view.hpp"
#include "bpqp/settings.hpp"
#include "bpqp/solve_result.hpp"
#include "bpqp/solver.hpp"
#include "bpqp/status.hpp"
