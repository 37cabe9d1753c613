#!/usr/bin/env python3
"""ResNet50 in PyTorch as ONNX, for the ResNet50 side-by-side benchmark only (ZooSideBySide.java).

  torch_resnet50.py export OUT.onnx   writes torchvision's ResNet50 (random weights, seed 0),
                                      laid out as Deeplearning4j's zoo ResNet50, as ONNX, its
                                      outputs the five taps cnnsee reads by default

Deeplearning4j's zoo ResNet50 follows the original (Caffe, Keras) ResNet50, not torchvision's:
its max pool has no padding (112 -> 55), each stage's first block strides in its first 1 x 1
convolution rather than in the 3 x 3, and stage 2 strides too. So its stages are 28, 14, 7 and
4 pixels across (1.1 G multiply-adds, against torchvision's 4.1 G). The export changes
torchvision's network to the same layout, so both engines do the same work; the taps then match
cnnsee's (stem-act1 64 x 112 x 112, res2c_branch 256 x 28 x 28 ... res5c_branch 2048 x 4 x 4),
which the export checks. Batch normalisation in inference mode, as ONNX Runtime then folds it.
Needs Debian's python3-torch and python3-torchvision; cnnsee itself never runs Python.
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


def zoo_layout(net):
    """torchvision's ResNet50 changed to Deeplearning4j's zoo layout (see the module's comment)."""
    net.maxpool.padding = 0
    for layer in (net.layer1, net.layer2, net.layer3, net.layer4):
        first = layer[0]
        first.conv1.stride = (2, 2)
        first.conv2.stride = (1, 1)
        first.downsample[0].stride = (2, 2)
    return net


ZOO_TAPS = [(64, 112), (256, 28), (512, 14), (1024, 7), (2048, 4)]


def export(path):
    torch.manual_seed(0)
    m = Taps(zoo_layout(torchvision.models.resnet50(weights=None))).eval()
    x = torch.rand(1, 3, 224, 224)
    with torch.no_grad():
        shapes = [(t.shape[1], t.shape[2]) for t in m(x)]
        if shapes != ZOO_TAPS:
            sys.exit("taps of %s, not the zoo's %s" % (shapes, ZOO_TAPS))
        torch.onnx.export(m, x, path, opset_version=13, input_names=["input"],
                          output_names=["stem", "stage2", "stage3", "stage4", "stage5"])


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "export":
        sys.exit(__doc__)
    export(sys.argv[2])
