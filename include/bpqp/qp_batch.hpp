// An owning batch of QPs or SOCPs (contiguous per-problem arrays or shared ones) that
// hands out a QpBatchView. Built from DenseQp problems of equal size (and cone layout), or
// filled in place.
#pragma once

#include <vector>

#include "bpqp/dense_qp.hpp"
#include "bpqp/qp_batch_view.hpp"

namespace bpqp {

template <class T>
class QpBatch {
 public:
  // Which arrays are one copy shared by the whole batch.
  struct Sharing {
    bool P = false, q = false, A = false, l = false, u = false;
  };

  QpBatch(int batch, int n, int m, Sharing sharing = {});
  // All problems must have the same n and m (InvalidArgument otherwise).
  static QpBatch from_problems(const std::vector<DenseQp>& problems);

  int batch() const { return batch_; }
  int n() const { return n_; }
  int m() const { return m_; }
  T* P(int b) { return P_.data() + b * view().P_stride; }
  T* q(int b) { return q_.data() + b * view().q_stride; }
  T* A(int b) { return A_.data() + b * view().A_stride; }
  T* l(int b) { return l_.data() + b * view().l_stride; }
  T* u(int b) { return u_.data() + b * view().u_stride; }
  // The cone blocks of every problem (include/bpqp/cones.hpp); InvalidArgument when one is
  // out of range or two overlap. A cone row's u must be +inf and its l its offset.
  void set_cones(std::vector<ConeBlock> cones);
  const std::vector<ConeBlock>& cones() const { return cones_; }
  QpBatchView<T> view() const;

 private:
  int batch_, n_, m_;
  Sharing sharing_;
  std::vector<T> P_, q_, A_, l_, u_;
  std::vector<ConeBlock> cones_;
};

}  // namespace bpqp
