// The CUDA batch phase (see batch_phase_forward.cuh). Per chunk, on the caller's stream:
//   1. the shared data checked and scaled (one block): P, A and the batch's largest
//      |q_j| (the cost scaling must see q; over the whole batch, so that every chunk
//      gets the same scaling), as the CPU phase;
//   2. every problem's vectors loaded into columns (a warp per column), the row
//      classes of the shared ρ vector (a block per row);
//   3. the loop graph: a start kernel forms K⁻¹ and sets the WHILE condition; each
//      round is check_every iterations — x̃ = K⁻¹(σx − q̄ + Āᵀ(ρ∘z − y)), z̃ = Āx̃ as
//      three GEMMs, then the relaxed update per column — followed by the check: the
//      products Āx, P̄x, Āᵀy as GEMMs, each column's termination test, and one block
//      that tallies the batch, moves ρ, forms K⁻¹ again when ρ moved, and sets the
//      condition. The host reads nothing; no residual leaves the device.
//   4. the finish, one problem per block or tile: finish_after_batch_phase from the
//      column where the problem left the phase.
// The GEMMs run over every column of the chunk (their shapes are fixed when the graph
// is captured); a column that has left is multiplied but no longer updated. Every
// per-column and control step is kernels/ code (batch_phase.hpp) that the CPU phase
// and the unit tests run too.
#include "cuda/batch_phase_forward.cuh"

#include <cublas_v2.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cuda/device_buffer.cuh"
#include "kernels/batch_phase.hpp"

namespace bpqp::cuda {

// cuBLAS statuses for BPQP_CUDA_CHECK (cuda_check.cuh).
inline bool call_failed(cublasStatus_t status) { return status != CUBLAS_STATUS_SUCCESS; }
inline const char* describe(cublasStatus_t status) { return cublasGetStatusString(status); }

namespace {

constexpr int column_width = 32;      // a warp per column
constexpr int columns_per_block = 8;  // 256 threads
constexpr int control_threads = 256;  // the one-block kernels
// cuBLAS's workspace, given to it explicitly so that it never allocates during capture.
// 4 MiB (cuBLAS's default before Hopper): these GEMMs have a short inner dimension
// (n or m) and need no split-K; NVIDIA's 32 MiB for Hopper would dominate small chunks.
constexpr std::size_t cublas_workspace_bytes = std::size_t(4) << 20;

// One column's bookkeeping: whether it still runs, whether it left at the last check
// (and converged), its iterations when it left, and its ρ estimate at the last check.
template <class T>
struct ColumnState {
  int active;
  int left_now;
  int converged;
  int iterations;
  int has_ratio;
  T log_ratio;
};

// The chunk's columns (column k: problem k), n × count or m × count, column-major.
template <class T>
struct PhaseColumns {
  int n, m, count;
  T *x, *q, *rhs, *x_tilde, *Px, *Aty;  // n rows
  T *z, *y, *l, *u, *w, *z_tilde, *Ax;  // m rows (w = ρ∘z − y)
  ColumnState<T>* state;

  __device__ T* n_col(T* a, int k) const { return a + static_cast<std::ptrdiff_t>(k) * n; }
  __device__ T* m_col(T* a, int k) const { return a + static_cast<std::ptrdiff_t>(k) * m; }
};

// What the chunk shares on the device.
template <class T>
struct PhaseShared {
  unsigned char* setup;  // AdmmWorkspace<T> of the shared data: P̄, Ā, D, E, c
  T *q_rep, *free_l, *free_u;
  T* K_inv;
  double *K, *K_inv_double, *pivots;
  T* rho_rows;
  kernels::RowClass* classes;
  kernels::BatchPhaseState<T>* control;
  int* shared_ok;  // the shared P and A passed their checks (else every problem is solved on its own)

  __device__ kernels::AdmmWorkspace<T> workspace(int n, int m) const {
    return kernels::AdmmWorkspace<T>::carve(setup, n, m);
  }
  __device__ kernels::BatchPhaseData<T> scaled(int n, int m) const {
    return kernels::BatchPhaseData<T>::of(workspace(n, m));
  }
};

// The phase's arrays in one device buffer.
template <class T>
struct PhaseLayout {
  std::size_t setup, q_rep, free_l, free_u, K_inv, K, K_inv_double, pivots, rho_rows, classes, control, shared_ok,
      cublas_workspace;
  std::size_t n_arrays[6], m_arrays[7], state;
  std::size_t bytes;

  PhaseLayout(int n, int m, int count) {
    const std::size_t nn = static_cast<std::size_t>(n) * n, t = sizeof(T);
    BufferLayout l;
    setup = l.add(kernels::AdmmWorkspace<T>::bytes(n, m));
    q_rep = l.add(n * t);
    free_l = l.add(m * t);
    free_u = l.add(m * t);
    K_inv = l.add(nn * t);
    K = l.add(nn * sizeof(double));
    K_inv_double = l.add(nn * sizeof(double));
    pivots = l.add(n * sizeof(double));
    rho_rows = l.add(m * t);
    classes = l.add(m * sizeof(kernels::RowClass));
    control = l.add(sizeof(kernels::BatchPhaseState<T>));
    shared_ok = l.add(sizeof(int));
    cublas_workspace = l.add(cublas_workspace_bytes);
    for (std::size_t& a : n_arrays) a = l.add(static_cast<std::size_t>(count) * n * t);
    for (std::size_t& a : m_arrays) a = l.add(static_cast<std::size_t>(count) * m * t);
    state = l.add(static_cast<std::size_t>(count) * sizeof(ColumnState<T>));
    bytes = l.bytes();
  }
  static constexpr int column_arrays = 14;  // each may round up by one alignment unit

  PhaseShared<T> shared(unsigned char* base) const {
    return PhaseShared<T>{base + setup,
                          at_offset<T>(base, q_rep),
                          at_offset<T>(base, free_l),
                          at_offset<T>(base, free_u),
                          at_offset<T>(base, K_inv),
                          at_offset<double>(base, K),
                          at_offset<double>(base, K_inv_double),
                          at_offset<double>(base, pivots),
                          at_offset<T>(base, rho_rows),
                          at_offset<kernels::RowClass>(base, classes),
                          at_offset<kernels::BatchPhaseState<T>>(base, control),
                          at_offset<int>(base, shared_ok)};
  }
  PhaseColumns<T> columns(unsigned char* base, int n, int m, int count) const {
    auto a = [&](std::size_t at) { return at_offset<T>(base, at); };
    return PhaseColumns<T>{n,
                           m,
                           count,
                           a(n_arrays[0]),
                           a(n_arrays[1]),
                           a(n_arrays[2]),
                           a(n_arrays[3]),
                           a(n_arrays[4]),
                           a(n_arrays[5]),
                           a(m_arrays[0]),
                           a(m_arrays[1]),
                           a(m_arrays[2]),
                           a(m_arrays[3]),
                           a(m_arrays[4]),
                           a(m_arrays[5]),
                           a(m_arrays[6]),
                           at_offset<ColumnState<T>>(base, state)};
  }
};

__device__ int column_index() { return blockIdx.x * columns_per_block + threadIdx.x / column_width; }
int column_blocks(int count) { return (count + columns_per_block - 1) / columns_per_block; }

// --- 1. the shared data ------------------------------------------------------------

// The batch's representative q (kernels::representative_q), a block per entry j.
template <class T>
__global__ void representative_q_kernel(DeviceBatch<T> batch, int count, T* q_rep) {
  __shared__ double scratch[32];
  const BlockGroup g{scratch};
  const int j = blockIdx.x;
  T local = T(0);
  for (int k = g.rank(); k < count; k += g.size())
    local = kernels::widen_representative_q(local, batch.q[k * batch.q_stride + j]);
  const T largest = g.max(local);
  if (g.rank() == 0) q_rep[j] = largest;
}

// The shared data checked and scaled (kernels::scale_shared_matrices), one block.
template <class T>
__global__ void shared_setup_kernel(DeviceBatch<T> batch, kernels::AdmmParams<T> prm, PhaseShared<T> sh) {
  __shared__ double scratch[32];
  const BlockGroup g{scratch};
  kernels::AdmmWorkspace<T> w = sh.workspace(batch.n, batch.m);
  const bool valid =
      kernels::scale_shared_matrices(g, batch.n, batch.m, batch.P, sh.q_rep, batch.A, sh.free_l, sh.free_u, prm, w);
  if (g.rank() == 0) *sh.shared_ok = valid ? 1 : 0;
}

// --- 2. the columns ------------------------------------------------------------------

template <class T>
__global__ void load_columns_kernel(DeviceBatch<T> batch, const T* x0, const T* y0, PhaseShared<T> sh,
                                    PhaseColumns<T> c) {
  const int k = column_index();
  if (k >= c.count || !*sh.shared_ok) return;  // whole tiles leave
  const TileGroup g{column_width};
  const int n = c.n, m = c.m;
  const kernels::ProblemView<T> p = problem_of(batch, k);
  const T* x0_k = x0 ? x0 + static_cast<std::ptrdiff_t>(k) * n : nullptr;
  const T* y0_k = y0 ? y0 + static_cast<std::ptrdiff_t>(k) * m : nullptr;
  kernels::load_batch_column(g, n, m, sh.scaled(n, m), p.q, p.l, p.u, x0_k, y0_k, c.n_col(c.q, k), c.m_col(c.l, k),
                             c.m_col(c.u, k),
                             kernels::AdmmIterate<T>{c.n_col(c.x, k), c.m_col(c.z, k), c.m_col(c.y, k)});
  if (g.rank() == 0) c.state[k] = ColumnState<T>{1, 0, 0, 0, 0, T(0)};
}

// Row i's class over the chunk (a block per row).
template <class T>
__global__ void row_class_kernel(PhaseShared<T> sh, PhaseColumns<T> c) {
  if (!*sh.shared_ok) return;  // uniform
  __shared__ double scratch[32];
  const BlockGroup g{scratch};
  const kernels::RowClass row = kernels::batch_row_class(g, c.m, blockIdx.x, c.l, c.u, c.count);
  if (g.rank() == 0) sh.classes[blockIdx.x] = row;
}

// --- 3. the loop ---------------------------------------------------------------------

// K⁻¹ for the batch's ρ (uniform result).
template <class T>
__device__ bool form_inverse(const BlockGroup& g, const PhaseShared<T>& sh, int n, int m, T rho,
                             const kernels::AdmmParams<T>& prm) {
  for (int i = g.rank(); i < m; i += g.size()) sh.rho_rows[i] = kernels::batch_row_rho(sh.classes[i], rho, prm);
  g.sync();
  const kernels::AdmmWorkspace<T> w = sh.workspace(n, m);
  return kernels::invert_reduced_matrix(g, n, m, w.P, w.A, sh.rho_rows, prm.sigma, sh.K, sh.K_inv_double, sh.pivots,
                                        sh.K_inv);
}

// The graph's first node: K⁻¹ for prm.rho, the control state, the loop's condition.
template <class T>
__global__ void __launch_bounds__(control_threads)
    start_phase_kernel(PhaseShared<T> sh, int n, int m, int count, kernels::AdmmParams<T> prm,
                       cudaGraphConditionalHandle loop) {
  __shared__ double scratch[32];
  const BlockGroup g{scratch};
  const bool shared_ok = *sh.shared_ok != 0;
  const bool factored = shared_ok && form_inverse(g, sh, n, m, prm.rho, prm);
  const bool lp = kernels::is_lp(g, n, sh.workspace(n, m).P);
  if (g.rank() == 0) {
    const kernels::BatchPhaseState<T> s = kernels::start_batch_phase(prm, factored, count, lp,
                                                                       kernels::batch_phase_polish_handover(n, m, prm));
    *sh.control = s;
    cudaGraphSetConditional(loop, s.running ? 1u : 0u);
  }
}

// rhs = σx − q̄ and w = ρ∘z − y, every column (a grid-stride loop).
template <class T>
__global__ void prepare_kernel(PhaseShared<T> sh, PhaseColumns<T> c, T sigma) {
  const std::ptrdiff_t stride = static_cast<std::ptrdiff_t>(gridDim.x) * blockDim.x;
  const std::ptrdiff_t first = static_cast<std::ptrdiff_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const std::ptrdiff_t n_entries = static_cast<std::ptrdiff_t>(c.n) * c.count;
  const std::ptrdiff_t m_entries = static_cast<std::ptrdiff_t>(c.m) * c.count;
  for (std::ptrdiff_t e = first; e < n_entries; e += stride) c.rhs[e] = sigma * c.x[e] - c.q[e];
  for (std::ptrdiff_t e = first; e < m_entries; e += stride) c.w[e] = sh.rho_rows[e % c.m] * c.z[e] - c.y[e];
}

// The relaxed update of every running column (the previous x and y go to the columns
// of rhs and w, which are dead until the next iteration's prepare).
template <class T>
__global__ void update_kernel(PhaseShared<T> sh, PhaseColumns<T> c, T alpha) {
  const int k = column_index();
  if (k >= c.count || !c.state[k].active) return;  // whole tiles leave
  const TileGroup g{column_width};
  kernels::relaxed_update(g, c.n, c.m, alpha, sh.rho_rows, c.m_col(c.l, k), c.m_col(c.u, k), c.n_col(c.x_tilde, k),
                          c.m_col(c.z_tilde, k),
                          kernels::AdmmIterate<T>{c.n_col(c.x, k), c.m_col(c.z, k), c.m_col(c.y, k)},
                          c.n_col(c.rhs, k), c.m_col(c.w, k));
}

// Every running column's termination test; a column that leaves records when.
template <class T>
__global__ void check_kernel(PhaseShared<T> sh, PhaseColumns<T> c, kernels::AdmmParams<T> prm) {
  const int k = column_index();
  if (k >= c.count) return;
  const TileGroup g{column_width};
  ColumnState<T> state = c.state[k];
  state.left_now = 0;
  state.has_ratio = 0;
  if (state.active) {
    const kernels::BatchPhaseState<T> control = *sh.control;
    const kernels::ColumnCheck<T> check = kernels::check_column(
        g, c.n, c.m, sh.scaled(c.n, c.m).scaling(), control.rho, prm, c.n_col(c.q, k),
        c.m_col(c.z, k), c.m_col(c.Ax, k), c.n_col(c.Px, k), c.n_col(c.Aty, k), c.m_col(c.w, k));
    state.has_ratio = check.has_ratio;
    state.log_ratio = check.log_rho_ratio;
    if (check.leaves) {
      state.active = 0;
      state.left_now = 1;
      state.converged = check.converged;
      state.iterations = kernels::iterations_at_check(control, prm);
    }
  }
  g.sync();  // every lane has read the state before it is written
  if (g.rank() == 0) c.state[k] = state;
}

// The round's last node: tallies the check over the chunk (one block, a fixed
// reduction order: the same bits every run), moves the batch's ρ, forms K⁻¹ again when
// it moved, and sets whether another round follows.
template <class T>
__global__ void __launch_bounds__(control_threads)
    end_round_kernel(PhaseShared<T> sh, PhaseColumns<T> c, kernels::AdmmParams<T> prm,
                     cudaGraphConditionalHandle loop) {
  __shared__ double scratch[32];
  const BlockGroup g{scratch};
  int left = 0, remaining = 0, ratios = 0;
  T log_sum = T(0);
  for (int k = g.rank(); k < c.count; k += g.size()) {
    const ColumnState<T>& s = c.state[k];
    left += s.left_now;
    remaining += s.active;
    if (s.has_ratio) {
      ++ratios;
      log_sum += s.log_ratio;
    }
  }
  const kernels::CheckTally<T> tally{g.sum(left), g.sum(remaining), g.sum(log_sum), g.sum(ratios)};
  kernels::BatchPhaseState<T> s = *sh.control;  // every thread decides alike
  kernels::after_check(s, prm, tally);
  g.sync();  // every thread has read the control state before it is written
  if (s.refactor && !form_inverse(g, sh, c.n, c.m, s.rho, prm)) s.running = false;  // they finish on their own
  if (g.rank() == 0) {
    *sh.control = s;
    cudaGraphSetConditional(loop, s.running ? 1u : 0u);
  }
}

// C = op(A)·B (+ C when accumulate): column-major, as cuBLAS.
cublasStatus_t gemm(cublasHandle_t h, cublasOperation_t op, int rows, int cols, int inner, const double* A, int lda,
                    const double* B, int ldb, bool accumulate, double* C, int ldc) {
  const double one = 1.0, beta = accumulate ? 1.0 : 0.0;
  return cublasDgemm(h, op, CUBLAS_OP_N, rows, cols, inner, &one, A, lda, B, ldb, &beta, C, ldc);
}
cublasStatus_t gemm(cublasHandle_t h, cublasOperation_t op, int rows, int cols, int inner, const float* A, int lda,
                    const float* B, int ldb, bool accumulate, float* C, int ldc) {
  const float one = 1.0f, beta = accumulate ? 1.0f : 0.0f;
  return cublasSgemm(h, op, CUBLAS_OP_N, rows, cols, inner, &one, A, lda, B, ldb, &beta, C, ldc);
}

// The six products. P̄ and Ā are stored row-major, i.e. as P̄ᵀ (n×n) and Āᵀ (n×m)
// column-major: Āᵀv is op N on Ā's storage, Āv and P̄v are op T.
template <class T>
struct Products {
  cublasHandle_t handle;
  const T *P, *A, *K_inv;
  PhaseColumns<T> c;

  void iteration() const {  // rhs += Āᵀw, x̃ = K⁻¹rhs, z̃ = Āx̃
    const int n = c.n, m = c.m, count = c.count;
    BPQP_CUDA_CHECK(gemm(handle, CUBLAS_OP_N, n, count, m, A, n, c.w, m, true, c.rhs, n));
    BPQP_CUDA_CHECK(gemm(handle, CUBLAS_OP_N, n, count, n, K_inv, n, c.rhs, n, false, c.x_tilde, n));
    BPQP_CUDA_CHECK(gemm(handle, CUBLAS_OP_T, m, count, n, A, n, c.x_tilde, n, false, c.z_tilde, m));
  }
  void check() const {  // Āx, P̄x, Āᵀy
    const int n = c.n, m = c.m, count = c.count;
    BPQP_CUDA_CHECK(gemm(handle, CUBLAS_OP_T, m, count, n, A, n, c.x, n, false, c.Ax, m));
    BPQP_CUDA_CHECK(gemm(handle, CUBLAS_OP_T, n, count, n, P, n, c.x, n, false, c.Px, n));
    BPQP_CUDA_CHECK(gemm(handle, CUBLAS_OP_N, n, count, m, A, n, c.y, m, false, c.Aty, n));
  }
};

// One round of the loop: check_every iterations and the check.
template <class T>
void enqueue_round(const Products<T>& products, const PhaseShared<T>& sh, const kernels::AdmmParams<T>& prm,
                   cudaGraphConditionalHandle loop, cudaStream_t stream) {
  const PhaseColumns<T>& c = products.c;
  const std::ptrdiff_t entries = static_cast<std::ptrdiff_t>(c.n > c.m ? c.n : c.m) * c.count;
  const int prepare_blocks = static_cast<int>(std::min<std::ptrdiff_t>((entries + 255) / 256, 4096));
  for (int r = 0; r < prm.check_every; ++r) {
    prepare_kernel<T><<<prepare_blocks, 256, 0, stream>>>(sh, c, prm.sigma);
    BPQP_CUDA_CHECK(cudaGetLastError());
    products.iteration();
    update_kernel<T><<<column_blocks(c.count), column_width * columns_per_block, 0, stream>>>(sh, c, prm.alpha);
    BPQP_CUDA_CHECK(cudaGetLastError());
  }
  products.check();
  check_kernel<T><<<column_blocks(c.count), column_width * columns_per_block, 0, stream>>>(sh, c, prm);
  BPQP_CUDA_CHECK(cudaGetLastError());
  end_round_kernel<T><<<1, control_threads, 0, stream>>>(sh, c, prm, loop);
  BPQP_CUDA_CHECK(cudaGetLastError());
}

// The instantiated loop graph and what it was built for.
struct LoopGraph {
  cudaGraph_t graph = nullptr;
  cudaGraphExec_t exec = nullptr;
  std::vector<unsigned char> key;
  ~LoopGraph() {
    if (exec) cudaGraphExecDestroy(exec);
    if (graph) cudaGraphDestroy(graph);
  }
};

}  // namespace

struct BatchPhaseResources {
  DeviceBuffer<unsigned char> memory;
  cublasHandle_t cublas = nullptr;
  cudaStream_t capture_stream = nullptr;  // captures need a stream of their own (not the legacy default stream)
  std::unique_ptr<LoopGraph> loop;
  bool loop_unavailable = false;  // building the loop graph failed once: the per-problem pass from then on
  ~BatchPhaseResources() {
    loop.reset();  // before the handle and the memory it refers to
    if (cublas) cublasDestroy(cublas);
    if (capture_stream) cudaStreamDestroy(capture_stream);
  }
};

void BatchPhaseResourcesDeleter::operator()(BatchPhaseResources* resources) const { delete resources; }

std::size_t batch_phase_held_bytes(const BatchPhasePtr& phase) { return phase ? phase->memory.size() : 0; }

template <class T>
std::size_t batch_phase_bytes_per_problem(int n, int m) {
  return (6 * static_cast<std::size_t>(n) + 7 * static_cast<std::size_t>(m)) * sizeof(T) + sizeof(ColumnState<T>);
}

template <class T>
std::size_t batch_phase_fixed_bytes(int n, int m) {
  return PhaseLayout<T>(n, m, 0).bytes + PhaseLayout<T>::column_arrays * device_alignment;
}

namespace {

// Finishes problem b from its column (or, when the shared data failed its checks,
// solves it on its own: that path reports what is wrong, problem by problem).
template <class T>
struct FinishJob {
  DeviceBatch<T> batch;
  kernels::AdmmParams<T> params;
  ForwardOutputs<T> outputs;
  PhaseShared<T> shared;
  PhaseColumns<T> columns;

  template <class Group>
  __device__ void operator()(const Group& group, int b, unsigned char* workspace) const {
    const int n = batch.n, m = batch.m;
    kernels::AdmmWorkspace<T> ws = kernels::AdmmWorkspace<T>::carve(workspace, n, m);
    const kernels::ProblemView<T> problem = problem_of(batch, b);
    const kernels::ProblemOutput<T> out = outputs.of(b, n, m);
    if (*shared.shared_ok) {
      const ColumnState<T> state = columns.state[b];
      const kernels::BatchPhaseState<T> control = *shared.control;
      const kernels::PhaseResult<T> start{columns.n_col(columns.x, b),
                                          columns.m_col(columns.z, b),
                                          columns.m_col(columns.y, b),
                                          state.converged != 0,
                                          state.active ? control.iterations : state.iterations,
                                          control.rho};
      kernels::finish_after_batch_phase(group, problem, params, shared.scaled(n, m), start, ws, out);
    } else {
      kernels::admm_solve(group, problem, params, ws, out);
    }
    outputs.publish(group, b);
  }
};

// Key of a loop graph: everything the capture baked in — the shapes, the buffer, and
// every AdmmParams field by value (not the struct's bytes: its padding is indeterminate,
// and a key that never matched would rebuild the graph on every solve). A field added to
// AdmmParams must be added here.
template <class T>
std::vector<unsigned char> loop_key(int n, int m, int count, const kernels::AdmmParams<T>& p,
                                    const unsigned char* memory) {
  const T reals[] = {p.rho,          p.sigma,        p.alpha,         p.eps_abs,         p.eps_rel,
                     p.eps_prim_inf, p.eps_dual_inf, p.rho_min,       p.rho_max,         p.rho_eq_scale,
                     p.adaptive_rho_tolerance,       p.delta,         p.psd_tolerance,   p.symmetry_tolerance};
  const long long integers[] = {n,
                                m,
                                count,
                                static_cast<long long>(sizeof(T)),
                                static_cast<long long>(reinterpret_cast<std::uintptr_t>(memory)),
                                p.max_iter,
                                p.check_every,
                                p.adaptive_rho_interval,
                                p.scaling_iterations,
                                p.polish_refine_iterations,
                                p.polish_first_attempt,
                                p.polish_active_set_rounds,
                                p.polish,
                                p.interior_point_max_iter,
                                p.interior_point_after,
                                p.check_convexity};
  std::vector<unsigned char> key(sizeof reals + sizeof integers);
  std::memcpy(key.data(), reals, sizeof reals);
  std::memcpy(key.data() + sizeof reals, integers, sizeof integers);
  return key;
}

// Builds and instantiates the loop graph: [start] → WHILE { round }.
template <class T>
std::unique_ptr<LoopGraph> build_loop(BatchPhaseResources& r, const Products<T>& products, const PhaseShared<T>& sh,
                                      const kernels::AdmmParams<T>& prm, void* cublas_workspace) {
  auto loop = std::make_unique<LoopGraph>();
  BPQP_CUDA_CHECK(cudaGraphCreate(&loop->graph, 0));
  cudaGraphConditionalHandle condition;
  BPQP_CUDA_CHECK(cudaGraphConditionalHandleCreate(&condition, loop->graph, 0, 0));

  PhaseShared<T> start_shared = sh;
  int n = products.c.n, m = products.c.m, count = products.c.count;
  kernels::AdmmParams<T> start_params = prm;
  void* start_args[] = {&start_shared, &n, &m, &count, &start_params, &condition};
  cudaKernelNodeParams start{};
  start.func = reinterpret_cast<void*>(start_phase_kernel<T>);
  start.gridDim = dim3(1);
  start.blockDim = dim3(control_threads);
  start.kernelParams = start_args;
  cudaGraphNode_t start_node;
  BPQP_CUDA_CHECK(cudaGraphAddKernelNode(&start_node, loop->graph, nullptr, 0, &start));

  cudaGraphNodeParams while_params{};
  while_params.type = cudaGraphNodeTypeConditional;
  while_params.conditional.handle = condition;
  while_params.conditional.type = cudaGraphCondTypeWhile;
  while_params.conditional.size = 1;
  cudaGraphNode_t while_node;
  BPQP_CUDA_CHECK(cudaGraphAddNode(&while_node, loop->graph, &start_node, nullptr, 1, &while_params));
  cudaGraph_t body = while_params.conditional.phGraph_out[0];

  // The round, captured into the body. The kernels are loaded first: a lazily loaded
  // module must not be loaded during the capture.
  for (const void* kernel : {reinterpret_cast<const void*>(prepare_kernel<T>),
                             reinterpret_cast<const void*>(update_kernel<T>),
                             reinterpret_cast<const void*>(check_kernel<T>),
                             reinterpret_cast<const void*>(end_round_kernel<T>)}) {
    cudaFuncAttributes attributes;
    BPQP_CUDA_CHECK(cudaFuncGetAttributes(&attributes, kernel));
  }
  // (cublasSetStream resets the workspace to cuBLAS's own pool: the stream first.)
  BPQP_CUDA_CHECK(cublasSetStream(r.cublas, r.capture_stream));
  BPQP_CUDA_CHECK(cublasSetWorkspace(r.cublas, cublas_workspace, cublas_workspace_bytes));
  BPQP_CUDA_CHECK(
      cudaStreamBeginCaptureToGraph(r.capture_stream, body, nullptr, nullptr, 0, cudaStreamCaptureModeThreadLocal));
  // A capture that fails may leave the body graph freed while the WHILE node still owns
  // it; destroying the parent then crashes in the driver, so it is leaked instead.
  try {
    enqueue_round(products, sh, prm, condition, r.capture_stream);
  } catch (...) {
    cudaGraph_t abandoned = nullptr;
    cudaStreamEndCapture(r.capture_stream, &abandoned);
    cudaGetLastError();
    loop->graph = nullptr;
    throw;
  }
  const cudaError_t captured = cudaStreamEndCapture(r.capture_stream, &body);
  if (captured != cudaSuccess) {
    cudaGetLastError();
    loop->graph = nullptr;
    throw Error(std::string("cudaStreamEndCapture (the batch phase's loop) failed: ") + cudaGetErrorString(captured));
  }
  BPQP_CUDA_CHECK(cudaGraphInstantiate(&loop->exec, loop->graph, 0));
  return loop;
}

}  // namespace

namespace {

// The resources, created on first use, with memory for chunks of up to `chunk` problems.
template <class T>
PhaseShared<T> reserve_phase(BatchPhasePtr& phase, int n, int m, int chunk) {
  if (!phase) {
    phase.reset(new BatchPhaseResources);
    BPQP_CUDA_CHECK(cublasCreate(&phase->cublas));
    BPQP_CUDA_CHECK(cudaStreamCreateWithFlags(&phase->capture_stream, cudaStreamNonBlocking));
  }
  const PhaseLayout<T> layout(n, m, chunk);
  phase->memory.reserve(layout.bytes);
  return layout.shared(phase->memory.data());
}

}  // namespace

template <class T>
void begin_batch_phase(BatchPhasePtr& phase, int n, int m, int chunk, cudaStream_t stream, const HostInput<T>& q,
                       int count) {
  const PhaseShared<T> sh = reserve_phase<T>(phase, n, m, chunk);
  std::vector<T> q_rep(n);
  kernels::representative_q(n, q.data, q.stride, count, q_rep.data());
  // From pageable memory: the call returns once q_rep is staged, so it may go out of scope.
  BPQP_CUDA_CHECK(cudaMemcpyAsync(sh.q_rep, q_rep.data(), n * sizeof(T), cudaMemcpyHostToDevice, stream));
}

template <class T>
void begin_batch_phase(BatchPhasePtr& phase, int n, int m, int chunk, cudaStream_t stream,
                       const DeviceBatch<T>& batch, int count) {
  const PhaseShared<T> sh = reserve_phase<T>(phase, n, m, chunk);
  representative_q_kernel<T><<<n, control_threads, 0, stream>>>(batch, count, sh.q_rep);
  BPQP_CUDA_CHECK(cudaGetLastError());
}

template <class T>
LaunchPlan plan_finish(int n, int m, const Executor& executor) {
  return plan_launch<T, FinishJob<T>>(n, m, executor);
}

template <class T>
bool solve_with_batch_phase(BatchPhasePtr& phase, const LaunchPlan& plan, int count, cudaStream_t stream,
                            const DeviceBatch<T>& batch, const kernels::AdmmParams<T>& params,
                            const ForwardOutputs<T>& outputs, unsigned char* finish_workspace) {
  if (count == 0) return true;
  if (phase && phase->loop_unavailable) return false;
  const int n = batch.n, m = batch.m;
  const PhaseLayout<T> layout(n, m, count);
  // begin_batch_phase reserved the memory for the largest chunk and wrote q_rep into it.
  if (!phase || phase->memory.size() < layout.bytes)
    throw Error("solve_with_batch_phase: begin_batch_phase was not called for chunks of this size");
  unsigned char* const base = phase->memory.data();
  const PhaseShared<T> sh = layout.shared(base);
  const PhaseColumns<T> columns = layout.columns(base, n, m, count);
  const kernels::AdmmWorkspace<T> setup = kernels::AdmmWorkspace<T>::carve(sh.setup, n, m);  // device addresses
  const Products<T> products{phase->cublas, setup.P, setup.A, sh.K_inv, columns};

  std::vector<unsigned char> key = loop_key(n, m, count, params, base);
  if (!phase->loop || phase->loop->key != key) {
    phase->loop.reset();
    // Every GEMM once, in stream order before this chunk's work, outside the capture:
    // whatever cuBLAS sets up on a first call is done before it is captured.
    BPQP_CUDA_CHECK(cublasSetStream(phase->cublas, stream));
    BPQP_CUDA_CHECK(cublasSetWorkspace(phase->cublas, base + layout.cublas_workspace, cublas_workspace_bytes));
    products.iteration();
    products.check();
    try {
      phase->loop = build_loop(*phase, products, sh, params, base + layout.cublas_workspace);
    } catch (const Error& e) {
      // The capture or the instantiation can be refused where the node types cuBLAS puts
      // into the body are not allowed in a conditional body, or the driver lacks WHILE
      // nodes: the batch is still solved, by the per-problem pass, not failed.
      phase->loop_unavailable = true;
      std::fprintf(stderr,
                   "bpqp: the CUDA batch phase's loop graph could not be built (%s); batches sharing P and A take "
                   "the per-problem pass on this solver\n",
                   e.what());
      return false;
    }
    phase->loop->key = std::move(key);
  }

  // 1–2: the shared data (q_rep, over the whole batch, came with begin_batch_phase) and the columns.
  shared_setup_kernel<T><<<1, control_threads, 0, stream>>>(batch, params, sh);
  BPQP_CUDA_CHECK(cudaGetLastError());
  load_columns_kernel<T><<<column_blocks(count), column_width * columns_per_block, 0, stream>>>(
      batch, outputs.x0, outputs.y0, sh, columns);
  BPQP_CUDA_CHECK(cudaGetLastError());
  row_class_kernel<T><<<m, control_threads, 0, stream>>>(sh, columns);
  BPQP_CUDA_CHECK(cudaGetLastError());
  // 3: the loop.
  BPQP_CUDA_CHECK(cudaGraphLaunch(phase->loop->exec, stream));
  // 4: the finish.
  launch_per_problem(plan, count, stream, FinishJob<T>{batch, params, outputs, sh, columns}, finish_workspace);
  return true;
}

template std::size_t batch_phase_bytes_per_problem<float>(int, int);
template std::size_t batch_phase_bytes_per_problem<double>(int, int);
template std::size_t batch_phase_fixed_bytes<float>(int, int);
template std::size_t batch_phase_fixed_bytes<double>(int, int);
template void begin_batch_phase(BatchPhasePtr&, int, int, int, cudaStream_t, const HostInput<float>&, int);
template void begin_batch_phase(BatchPhasePtr&, int, int, int, cudaStream_t, const HostInput<double>&, int);
template void begin_batch_phase(BatchPhasePtr&, int, int, int, cudaStream_t, const DeviceBatch<float>&, int);
template void begin_batch_phase(BatchPhasePtr&, int, int, int, cudaStream_t, const DeviceBatch<double>&, int);
template LaunchPlan plan_finish<float>(int, int, const Executor&);
template LaunchPlan plan_finish<double>(int, int, const Executor&);
template bool solve_with_batch_phase(BatchPhasePtr&, const LaunchPlan&, int, cudaStream_t, const DeviceBatch<float>&,
                                     const kernels::AdmmParams<float>&, const ForwardOutputs<float>&, unsigned char*);
template bool solve_with_batch_phase(BatchPhasePtr&, const LaunchPlan&, int, cudaStream_t, const DeviceBatch<double>&,
                                     const kernels::AdmmParams<double>&, const ForwardOutputs<double>&,
                                     unsigned char*);

}  // namespace bpqp::cuda
