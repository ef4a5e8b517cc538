"""The layer on CUDA tensors: agreement with the CPU, torch's current (non-default) stream,
and a device other than cuda:0. Skipped, with the reason, without a usable GPU."""
import pytest
import torch

import bpqp
from conftest import random_qp

pytestmark = pytest.mark.gpu
TIGHT = dict(eps_abs=1e-10, eps_rel=1e-10)


def solve_and_differentiate(data):
    data = [t.detach().clone().requires_grad_() for t in data]
    x, y, status = bpqp.qp_layer(*data, return_duals=True, **TIGHT)
    grads = torch.autograd.grad(x.square().sum(), data)
    return x, status, grads


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_cuda_agrees_with_the_cpu(cuda_device, dtype):
    data = [t.to(dtype) for t in random_qp(16, 8, 5, seed=20, requires_grad=False)]
    x_cpu, status_cpu, grads_cpu = solve_and_differentiate(data)
    x_gpu, status_gpu, grads_gpu = solve_and_differentiate([t.to(cuda_device) for t in data])
    assert x_gpu.device == cuda_device and status_gpu.device == cuda_device
    assert torch.equal(status_gpu.cpu(), status_cpu)
    tol = dict(rtol=1e-6, atol=1e-7) if dtype == torch.float64 else dict(rtol=1e-3, atol=1e-3)
    torch.testing.assert_close(x_gpu.cpu(), x_cpu, **tol)
    for g_gpu, g_cpu in zip(grads_gpu, grads_cpu):
        torch.testing.assert_close(g_gpu.cpu(), g_cpu, **tol)


def test_cuda_runs_on_the_current_stream(cuda_device):
    data = [t.to(cuda_device) for t in random_qp(64, 8, 5, seed=21, requires_grad=False)]
    expected = bpqp.qp_layer(*data, **TIGHT)
    stream = torch.cuda.Stream(device=cuda_device)
    stream.wait_stream(torch.cuda.current_stream(cuda_device))
    with torch.cuda.stream(stream):
        x = bpqp.qp_layer(*data, on_failure="ignore", **TIGHT)  # "ignore": nothing waits on the stream
        x_after = x * 2  # ordered after the solve on the same stream
    stream.synchronize()
    torch.testing.assert_close(x_after / 2, expected)


def test_cuda_runs_on_a_second_device(cuda_device):
    if torch.cuda.device_count() < 2:
        pytest.skip(f"one CUDA device only ({torch.cuda.get_device_name(0)}): no second device to test")
    second = torch.device("cuda", 1)
    data = random_qp(8, 6, 4, seed=22, requires_grad=False)
    x_first = bpqp.qp_layer(*[t.to(cuda_device) for t in data], **TIGHT)
    with torch.cuda.device(0):  # the current device is not the tensors'
        x_second = bpqp.qp_layer(*[t.to(second) for t in data], **TIGHT)
    assert x_second.device == second
    torch.testing.assert_close(x_second.cpu(), x_first.cpu())
