#!/usr/bin/env python3
"""ResNet50 in PyTorch as ONNX, for the ResNet50 side-by-side benchmark only (ZooSideBySide.java).

  torch_resnet50.py export OUT.onnx   writes torchvision's ResNet50 (random weights, seed 0) as
                                      ONNX, its outputs the five taps cnnsee reads by default

The taps match cnnsee's zoo ResNet50 (stem-act1, res2c_branch ... res5c_branch) in shape: the
stem's ReLU (64 x 112 x 112) and the outputs of the four stages (256 x 56 x 56 ... 2048 x 7 x 7).
Batch normalisation in inference mode, as ONNX Runtime then folds it. Needs Debian's
python3-torch and python3-torchvision; cnnsee itself never runs Python.
"""
import sys

import torch
import torchvision


class Taps(torch.nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        n = self.net
        stem = n.relu(n.bn1(n.conv1(x)))
        l1 = n.layer1(n.maxpool(stem))
        l2 = n.layer2(l1)
        l3 = n.layer3(l2)
        l4 = n.layer4(l3)
        return stem, l1, l2, l3, l4


def export(path):
    torch.manual_seed(0)
    m = Taps(torchvision.models.resnet50(weights=None)).eval()
    x = torch.rand(1, 3, 224, 224)
    with torch.no_grad():
        torch.onnx.export(m, x, path, opset_version=13, input_names=["input"],
                          output_names=["stem", "stage2", "stage3", "stage4", "stage5"])


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "export":
        sys.exit(__doc__)
    export(sys.argv[2])
