"""DDP: two processes (gloo, one machine) each solve their shard of the batch; the
parameter gradients DDP averages must be those of one process on the whole batch."""
import os

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

import bpqp

N, M, BATCH, STEPS = 5, 3, 8, 2


class Allocation(torch.nn.Module):
    """q from a linear map of the features, P = LLᵀ + 0.1 I shared by the batch; the loss
    is the distance of the layer's x to a target."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.head = torch.nn.Linear(N, N, dtype=torch.float64)
        self.L = torch.nn.Parameter(torch.eye(N, dtype=torch.float64))

    def forward(self, features):
        P = self.L @ self.L.T + 0.1 * torch.eye(N, dtype=torch.float64)
        A = torch.cat([torch.ones(1, N, dtype=torch.float64), torch.eye(N, dtype=torch.float64)[:M - 1]])
        x = bpqp.qp_layer(P, self.head(features), A, -torch.ones(M, dtype=torch.float64),
                          torch.ones(M, dtype=torch.float64), eps_abs=1e-10, eps_rel=1e-10)
        target = torch.linspace(-1, 1, N, dtype=torch.float64)
        return (x - target).square().sum(1).mean()


def data():
    return torch.randn(STEPS, BATCH, N, generator=torch.Generator().manual_seed(1), dtype=torch.float64)


def train(model, step_features):
    """Two SGD steps; returns each step's parameter gradients."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    grads = []
    for features in step_features:
        optimizer.zero_grad()
        model(features).backward()
        grads.append([p.grad.detach().clone() for p in model.parameters()])
        optimizer.step()
    return grads


def rank_main(rank, world, init_file, out_dir):
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world)
    ddp = torch.nn.parallel.DistributedDataParallel(Allocation())
    shard = BATCH // world
    grads = train(ddp, [f[rank * shard:(rank + 1) * shard] for f in data()])
    torch.save(grads, os.path.join(out_dir, f"rank{rank}.pt"))
    dist.destroy_process_group()


def test_ddp_on_two_ranks_gives_the_gradients_of_one_process(tmp_path):
    mp.spawn(rank_main, args=(2, str(tmp_path / "init"), str(tmp_path)), nprocs=2, join=True)
    expected = train(Allocation(), data())
    for rank in range(2):
        got = torch.load(tmp_path / f"rank{rank}.pt")
        for step_got, step_expected in zip(got, expected):
            for g, e in zip(step_got, step_expected):
                torch.testing.assert_close(g, e, rtol=1e-8, atol=1e-10)
