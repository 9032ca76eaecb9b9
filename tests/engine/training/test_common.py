"""Warm-starting a model whose layers grew since its checkpoint."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from engine.training.common import warm_start


def test_a_grown_layer_starts_out_computing_what_the_saved_one_did() -> None:
    torch.manual_seed(0)
    small, big = nn.Linear(4, 3), nn.Linear(6, 3)
    grown = warm_start(big, {k: v.half() for k, v in small.state_dict().items()})
    assert grown == ["weight"]
    x = torch.randn(5, 4)
    padded = torch.cat([x, torch.randn(5, 2)], -1)
    assert torch.allclose(big(padded), small(x), atol=1e-2)
    assert (big.weight[:, 4:] == 0).all()


def test_a_layer_that_shrank_is_refused() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        warm_start(nn.Linear(3, 3), nn.Linear(4, 3).state_dict())
