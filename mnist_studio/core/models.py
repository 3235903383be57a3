"""The tutorial's five architectures, with its defects fixed.

Every model takes normalised input of shape (N, 1, 28, 28) and returns logits (N, 10).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from mnist_studio.core.constants import IMAGE_SIZE, NUM_CLASSES


class MLP(nn.Module):
    """Flatten -> Linear(784, 512) -> ReLU -> Linear(512, 10).

    The tutorial also applied ReLU to the output; that clips every negative logit to zero, so
    the softmax cannot push wrong classes down and learning slows. The logits stay linear here.
    """

    def __init__(self) -> None:
        super().__init__()
        self.hidden = nn.Linear(IMAGE_SIZE * IMAGE_SIZE, 512)
        self.output = nn.Linear(512, NUM_CLASSES)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.output(F.relu(self.hidden(images.flatten(1))))


class LeNet5(nn.Module):
    """Conv(1->6, 5) ReLU AvgPool -> Conv(6->16, 5) ReLU AvgPool -> 256 -> 120 -> 84 -> 10."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, kernel_size=5),
            nn.ReLU(),
            nn.AvgPool2d(2),
            nn.Conv2d(6, 16, kernel_size=5),
            nn.ReLU(),
            nn.AvgPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(16 * 4 * 4, 120),
            nn.ReLU(),
            nn.Linear(120, 84),
            nn.ReLU(),
            nn.Linear(84, NUM_CLASSES),
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(images))


class ResidualNet(nn.Module):
    """The tutorial's single residual block, then a 1x1 conv to one channel and Linear(784, 10).

    Block: Conv3x3(1->8)+BN+ReLU, Conv3x3(8->8)+BN, plus a 1x1-conv projection of the input
    (the tutorial's ``useConv=True``; its default broadcast the one-channel input instead).
    """

    def __init__(self, channels: int = 8) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, channels, kernel_size=3, padding=1)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.bn2 = nn.BatchNorm2d(channels)
        self.projection = nn.Conv2d(1, channels, kernel_size=1)
        self.squeeze = nn.Conv2d(channels, 1, kernel_size=1)
        self.output = nn.Linear(IMAGE_SIZE * IMAGE_SIZE, NUM_CLASSES)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        residual = F.relu(self.bn1(self.conv1(images)))
        residual = self.bn2(self.conv2(residual))
        features = F.relu(residual + self.projection(images))
        return self.output(self.squeeze(features).flatten(1))


class RowGRU(nn.Module):
    """A GRU (hidden 64) reading the 28 image rows top to bottom; its last state -> Linear(64, 10)."""

    def __init__(self, hidden_size: int = 64) -> None:
        super().__init__()
        self.gru = nn.GRU(input_size=IMAGE_SIZE, hidden_size=hidden_size, batch_first=True)
        self.output = nn.Linear(hidden_size, NUM_CLASSES)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        rows = images.squeeze(1)  # (N, 28 rows, 28 pixels)
        states, _ = self.gru(rows)
        return self.output(states[:, -1])


class TransformerBlock(nn.Module):
    """Pre-norm block: x + Attention(LN(x)), then x + MLP(LN(x))."""

    def __init__(self, dim: int, heads: int, mlp_dim: int) -> None:
        super().__init__()
        self.attention_norm = nn.LayerNorm(dim)
        # batch_first=True: the tutorial omitted it and so attended across the batch, not the tokens.
        self.attention = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.mlp_norm = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_dim), nn.GELU(), nn.Linear(mlp_dim, dim))

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        normed = self.attention_norm(tokens)
        tokens = tokens + self.attention(normed, normed, normed, need_weights=False)[0]
        return tokens + self.mlp(self.mlp_norm(tokens))


class VisionTransformer(nn.Module):
    """A small ViT: 4x4 patches by conv, dim 64, depth 4, 8 heads, MLP 128, class token."""

    def __init__(
        self, patch: int = 4, dim: int = 64, depth: int = 4, heads: int = 8, mlp_dim: int = 128
    ) -> None:
        super().__init__()
        patches = (IMAGE_SIZE // patch) ** 2
        self.patch_embedding = nn.Conv2d(1, dim, kernel_size=patch, stride=patch)
        self.class_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.positions = nn.Parameter(torch.randn(1, patches + 1, dim) * 0.02)
        self.blocks = nn.Sequential(*(TransformerBlock(dim, heads, mlp_dim) for _ in range(depth)))
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, NUM_CLASSES)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        tokens = self.patch_embedding(images).flatten(2).transpose(1, 2)  # (N, 49, dim)
        class_tokens = self.class_token.expand(tokens.shape[0], -1, -1)
        tokens = torch.cat([class_tokens, tokens], dim=1) + self.positions
        return self.head(self.norm(self.blocks(tokens))[:, 0])
