"""The five architectures: shapes, parameter counts against the registry, and the tutorial's defects fixed."""

from __future__ import annotations

import pytest
import torch

from mnist_studio.core.registry import ARCHITECTURES, build_model

ARCHS = list(ARCHITECTURES)


@pytest.mark.parametrize("arch", ARCHS)
def test_logits_have_one_row_per_image(arch: str) -> None:
    model = build_model(arch).eval()
    logits = model(torch.randn(3, 1, 28, 28))
    assert logits.shape == (3, 10) and logits.dtype == torch.float32
    assert torch.isfinite(logits).all()


@pytest.mark.parametrize("arch", ARCHS)
def test_parameter_count_matches_the_registry(arch: str) -> None:
    model = build_model(arch)
    assert sum(parameter.numel() for parameter in model.parameters()) == ARCHITECTURES[arch].parameter_count


@pytest.mark.parametrize("arch", ARCHS)
def test_every_parameter_learns(arch: str) -> None:
    model = build_model(arch)
    torch.nn.functional.cross_entropy(model(torch.randn(4, 1, 28, 28)), torch.arange(4)).backward()
    assert all(parameter.grad is not None for parameter in model.parameters())


@pytest.mark.parametrize("arch", ARCHS)
def test_an_image_gets_the_same_logits_whatever_else_is_in_the_batch(arch: str) -> None:
    # The tutorial's ViT attended across the batch (MultiheadAttention without batch_first).
    torch.manual_seed(0)
    model = build_model(arch).eval()
    images = torch.randn(5, 1, 28, 28)
    with torch.no_grad():
        alone = model(images[:1])
        together = model(images)
    torch.testing.assert_close(together[:1], alone, rtol=1e-4, atol=1e-5)


def test_mlp_logits_can_be_negative() -> None:
    # The tutorial applied ReLU to the output, clipping every negative logit to zero.
    torch.manual_seed(0)
    logits = build_model("mlp")(torch.randn(16, 1, 28, 28))
    assert (logits < 0).any()
