"""ResNet-18 with the 28x28 stem used by MedMNIST (torch code only, no training logic)."""

import torch
from torch import nn
from torch.nn import functional as F

from .._torch_utils import standard_strides


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with batch norm and an identity (or 1x1 projection) shortcut.

    Parameters
    ----------
    in_planes : int
        Channels coming in.
    planes : int
        Channels going out.
    stride : int, default=1
        Stride of the first convolution (and of the projection shortcut).

    Examples
    --------
    >>> import torch
    >>> from skgenaug.nets import BasicBlock
    >>> BasicBlock(4, 8, stride=2)(torch.zeros(2, 4, 14, 14)).shape
    torch.Size([2, 8, 7, 7])
    """

    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, planes, 1, stride=stride, bias=False),
                nn.BatchNorm2d(planes),
            )
        else:
            self.shortcut = nn.Identity()

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ResNet18(nn.Module):
    """ResNet-18 for small images: the "ResNet-18 (28)" of MedMNIST.

    The stem is a 3x3 stride-1 convolution, batch norm and ReLU with no max-pool, so a
    28x28 image keeps its resolution into the first stage. Four stages of two
    :class:`BasicBlock` each (widths ``width``, ``2 * width``, ``4 * width``,
    ``8 * width``; strides 1, 2, 2, 2) are followed by global average pooling and a
    linear head. Every convolution is padded, so inputs as small as ``1 x 1`` (or a
    ``1 x n_features`` strip of tabular data) pass through.

    Parameters
    ----------
    in_channels : int, default=1
        Channels of the input images (1 for gray, 3 for RGB).
    n_classes : int, default=2
        Number of outputs (logits).
    width : int, default=64
        Channels of the first stage; 64 is the standard ResNet-18.

    Examples
    --------
    >>> import torch
    >>> from skgenaug.nets import ResNet18
    >>> net = ResNet18(in_channels=3, n_classes=9, width=8)
    >>> net(torch.zeros(2, 3, 28, 28)).shape
    torch.Size([2, 9])
    >>> net.features(torch.zeros(2, 3, 28, 28)).shape
    torch.Size([2, 64])
    """

    def __init__(self, in_channels=1, n_classes=2, width=64):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, width, 3, stride=1, padding=1, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(inplace=True),
        )
        stages = []
        in_planes = width
        for multiplier, stride in [(1, 1), (2, 2), (4, 2), (8, 2)]:
            planes = width * multiplier
            stages.append(
                nn.Sequential(
                    BasicBlock(in_planes, planes, stride), BasicBlock(planes, planes, 1)
                )
            )
            in_planes = planes
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.fc = nn.Linear(in_planes, n_classes)
        self.n_features = in_planes

    def features(self, x):
        """Penultimate features: the globally pooled output of the last stage.

        Parameters
        ----------
        x : torch.Tensor of shape (n, in_channels, H, W)
            Any strides; the network works on a standard-strided (NCHW contiguous)
            copy when they are not already standard.

        Returns
        -------
        torch.Tensor of shape (n, 8 * width)
        """
        # Any input, a caller's channels-last tensor included, is copied to standard
        # NCHW strides: oneDNN's channels-last kernels corrupted memory on AVX2 CPUs.
        out = self.stem(standard_strides(x))
        out = self.layer4(self.layer3(self.layer2(self.layer1(out))))
        return torch.flatten(F.adaptive_avg_pool2d(out, 1), 1)

    def forward(self, x, return_features=False):
        """Logits, or ``(logits, features)`` with ``return_features=True``.

        Parameters
        ----------
        x : torch.Tensor of shape (n, in_channels, H, W)
        return_features : bool, default=False
            Also return the pooled penultimate features.

        Returns
        -------
        logits : torch.Tensor of shape (n, n_classes)
        features : torch.Tensor of shape (n, 8 * width)
            Only with ``return_features=True``.
        """
        feats = self.features(x)
        logits = self.fc(feats)
        if return_features:
            return logits, feats
        return logits
