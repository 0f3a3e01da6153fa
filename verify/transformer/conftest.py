"""Doctests of verify.transformer run torch single-threaded (tiny tensors on a shared machine:
two threads are many times slower than one there)."""

import pytest
import torch


@pytest.fixture(autouse=True)
def _one_torch_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
