#include "bpqp/qp_batch.hpp"

#include <algorithm>
#include <numeric>
#include <string>

#include "bpqp/errors.hpp"
#include "core/batch_strides.hpp"

namespace bpqp {
namespace {

std::string describe(const ConeBlock& c, int k) {
  return "QpBatchView::cones[" + std::to_string(k) + "] (first_row = " + std::to_string(c.first_row) +
         ", dim = " + std::to_string(c.dim) + ", " + to_string(c.kind) + ")";
}

}  // namespace

void validate_cones(const ConeBlock* cones, int count, int m) {
  if (count < 0) throw InvalidArgument("QpBatchView::cone_count = " + std::to_string(count) + ": expected >= 0");
  if (count > 0 && cones == nullptr)
    throw InvalidArgument("QpBatchView::cones is null but cone_count = " + std::to_string(count));
  for (int k = 0; k < count; ++k) {
    const ConeBlock& c = cones[k];
    if (c.kind != ConeKind::second_order && c.kind != ConeKind::rotated_second_order)
      throw InvalidArgument("QpBatchView::cones[" + std::to_string(k) + "].kind = " +
                            std::to_string(static_cast<int>(c.kind)) + ": not a ConeKind");
    const int min_dim = c.kind == ConeKind::rotated_second_order ? 3 : 1;
    if (c.dim < min_dim)
      throw InvalidArgument(describe(c, k) + ": expected dim >= " + std::to_string(min_dim));
    if (c.first_row < 0 || c.first_row > m - c.dim)
      throw InvalidArgument(describe(c, k) + ": rows " + std::to_string(c.first_row) + " … " +
                            std::to_string(static_cast<long long>(c.first_row) + c.dim - 1) + " are not all in 0 … " +
                            std::to_string(m - 1) + " (m = " + std::to_string(m) + ")");
  }
  std::vector<int> order(count);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) { return cones[a].first_row < cones[b].first_row; });
  for (int i = 1; i < count; ++i) {
    const ConeBlock &before = cones[order[i - 1]], &after = cones[order[i]];
    if (after.first_row < before.first_row + before.dim)
      throw InvalidArgument(describe(after, order[i]) + " overlaps " + describe(before, order[i - 1]));
  }
}

template <class T>
void validate(const QpBatchView<T>& v) {
  if (v.batch < 0) throw InvalidArgument("QpBatchView::batch = " + std::to_string(v.batch) + ": expected >= 0");
  if (v.n < 1) throw InvalidArgument("QpBatchView::n = " + std::to_string(v.n) + ": expected >= 1");
  if (v.m < 0) throw InvalidArgument("QpBatchView::m = " + std::to_string(v.m) + ": expected >= 0");
  if (v.n > 46340 || static_cast<long long>(v.n) * v.m > 2147483647LL)
    throw InvalidArgument("QpBatchView: n = " + std::to_string(v.n) + ", m = " + std::to_string(v.m) +
                          " is too large for the dense solver (n² and n·m must fit in 32 bits)");
  const std::ptrdiff_t n = v.n, m = v.m;
  check_stride("QpBatchView", "P", v.P, v.P_stride, n * n, v.batch);
  check_stride("QpBatchView", "q", v.q, v.q_stride, n, v.batch);
  check_stride("QpBatchView", "A", v.A, v.A_stride, m * n, v.batch);
  check_stride("QpBatchView", "l", v.l, v.l_stride, m, v.batch);
  check_stride("QpBatchView", "u", v.u, v.u_stride, m, v.batch);
  validate_cones(v.cones, v.cone_count, v.m);
}
template void validate(const QpBatchView<float>&);
template void validate(const QpBatchView<double>&);

template <class T>
QpBatch<T>::QpBatch(int batch, int n, int m, Sharing sharing) : batch_(batch), n_(n), m_(m), sharing_(sharing) {
  if (batch < 0 || n < 1 || m < 0)
    throw InvalidArgument("QpBatch(batch = " + std::to_string(batch) + ", n = " + std::to_string(n) + ", m = " +
                          std::to_string(m) + "): expected batch >= 0, n >= 1, m >= 0");
  auto copies = [batch](bool shared) { return static_cast<std::size_t>(shared ? 1 : batch); };
  const std::size_t nn = static_cast<std::size_t>(n) * n, mn = static_cast<std::size_t>(m) * n;
  P_.assign(copies(sharing.P) * nn, T(0));
  q_.assign(copies(sharing.q) * n, T(0));
  A_.assign(copies(sharing.A) * mn, T(0));
  l_.assign(copies(sharing.l) * m, T(0));
  u_.assign(copies(sharing.u) * m, T(0));
}

template <class T>
QpBatch<T> QpBatch<T>::from_problems(const std::vector<DenseQp>& problems) {
  if (problems.empty()) throw InvalidArgument("QpBatch::from_problems: no problems given");
  const int n = problems[0].n, m = problems[0].m;
  QpBatch<T> batch(static_cast<int>(problems.size()), n, m);
  for (int b = 0; b < batch.batch(); ++b) {
    const DenseQp& p = problems[b];
    if (p.n != n || p.m != m)
      throw InvalidArgument("QpBatch::from_problems: problem " + std::to_string(b) + " ('" + p.name + "') is " +
                            std::to_string(p.n) + "x" + std::to_string(p.m) + ", expected " + std::to_string(n) +
                            "x" + std::to_string(m) + " like problem 0 (a batch has uniform sizes)");
    std::copy(p.P.begin(), p.P.end(), batch.P(b));
    std::copy(p.q.begin(), p.q.end(), batch.q(b));
    std::copy(p.A.begin(), p.A.end(), batch.A(b));
    std::copy(p.l.begin(), p.l.end(), batch.l(b));
    std::copy(p.u.begin(), p.u.end(), batch.u(b));
    auto same = [](const ConeBlock& a, const ConeBlock& c) {
      return a.first_row == c.first_row && a.dim == c.dim && a.kind == c.kind;
    };
    if (!std::equal(p.cones.begin(), p.cones.end(), problems[0].cones.begin(), problems[0].cones.end(), same))
      throw InvalidArgument("QpBatch::from_problems: problem " + std::to_string(b) + " ('" + p.name +
                            "') has other cone blocks than problem 0 (a batch has one cone layout)");
  }
  batch.set_cones(problems[0].cones);
  return batch;
}

template <class T>
void QpBatch<T>::set_cones(std::vector<ConeBlock> cones) {
  cones_ = std::move(cones);
  validate_cones(cones_.data(), static_cast<int>(cones_.size()), m_);
}

template <class T>
QpBatchView<T> QpBatch<T>::view() const {
  QpBatchView<T> v;
  v.batch = batch_;
  v.n = n_;
  v.m = m_;
  v.P = P_.data();
  v.q = q_.data();
  v.A = A_.data();
  v.l = l_.data();
  v.u = u_.data();
  const std::ptrdiff_t n = n_, m = m_;
  v.P_stride = sharing_.P ? 0 : n * n;
  v.q_stride = sharing_.q ? 0 : n;
  v.A_stride = sharing_.A ? 0 : m * n;
  v.l_stride = sharing_.l ? 0 : m;
  v.u_stride = sharing_.u ? 0 : m;
  v.cones = cones_.data();
  v.cone_count = static_cast<int>(cones_.size());
  return v;
}

template class QpBatch<float>;
template class QpBatch<double>;

}  // namespace bpqp
