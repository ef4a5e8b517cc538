// How many device allocations the CUDA backend's reusable buffers (DeviceBuffer) have made in
// this process: what a test reads to see that repeated calls reuse memory instead of
// allocating it again. A diagnostic counter, not state any computation reads. 0 without CUDA.
#pragma once

namespace bpqp::cuda {

long long device_allocations();

}  // namespace bpqp::cuda
