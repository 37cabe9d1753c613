#!/usr/bin/env python3
"""Small ONNX files written by PyTorch's own exporter, with PyTorch's outputs, for cnnsee's ONNX tests.

  /usr/bin/python3 make_fixtures.py [OUT_DIR]

Each model is a few torchvision building blocks (seeded weights, batch norm with calibrated,
perturbed statistics so it is not an identity), exported with torch.onnx.export in eval mode at
opsets 13 and 17. The graph's outputs are named: some intermediate maps, then the logits (no
softmax, as torchvision's networks end). NAME.json holds the input and every output, computed by
PyTorch, flattened in NCHW order, and by autograd the gradient of logits[1] + 0.5 * the mean of
channel 0 of the last named map with respect to the input. Needs Debian's python3-torch; cnnsee itself never runs Python.
"""
import json
import os
import sys
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F


def bn(c):
    return nn.BatchNorm2d(c)


class ResNetLike(nn.Module):
    """resnet18's stem, a basic block and a down-sampling block, then average pool and Linear."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 7, 2, 3, bias=False)
        self.bn1 = bn(8)
        self.pool = nn.MaxPool2d(3, 2, 1)
        self.a1 = nn.Conv2d(8, 8, 3, 1, 1, bias=False)
        self.abn1 = bn(8)
        self.a2 = nn.Conv2d(8, 8, 3, 1, 1, bias=False)
        self.abn2 = bn(8)
        self.b1 = nn.Conv2d(8, 16, 3, 2, 1, bias=False)
        self.bbn1 = bn(16)
        self.b2 = nn.Conv2d(16, 16, 3, 1, 1, bias=False)
        self.bbn2 = bn(16)
        self.down = nn.Conv2d(8, 16, 1, 2, bias=False)
        self.dbn = bn(16)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        stem = self.pool(F.relu(self.bn1(self.conv1(x))))
        a = F.relu(self.abn2(self.a2(F.relu(self.abn1(self.a1(stem))))) + stem)
        b = F.relu(self.bbn2(self.b2(F.relu(self.bbn1(self.b1(a))))) + self.dbn(self.down(a)))
        return stem, a, b, self.fc(torch.flatten(F.adaptive_avg_pool2d(b, 1), 1))


class MobileNetLike(nn.Module):
    """mobilenet_v2's stem and an inverted residual (ReLU6, depthwise), mobilenet_v3's hard-swish
    and squeeze-excitation (hard sigmoid, a map times a 1x1 map), efficientnet's SiLU."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, 2, 1, bias=False)
        self.sbn = bn(8)
        self.expand = nn.Conv2d(8, 24, 1, bias=False)
        self.ebn = bn(24)
        self.dw = nn.Conv2d(24, 24, 3, 1, 1, groups=24, bias=False)
        self.dbn = bn(24)
        self.se1 = nn.Conv2d(24, 6, 1)
        self.se2 = nn.Conv2d(6, 24, 1)
        self.project = nn.Conv2d(24, 8, 1, bias=False)
        self.pbn = bn(8)
        self.head = nn.Conv2d(8, 16, 1)
        self.fc = nn.Linear(16, 5)

    def forward(self, x):
        s = F.relu6(self.sbn(self.stem(x)))
        e = F.hardswish(self.ebn(self.expand(s)))
        d = F.silu(self.dbn(self.dw(e)))
        w = F.hardsigmoid(self.se2(F.relu(self.se1(F.adaptive_avg_pool2d(d, 1)))))
        excited = d * w
        block = self.pbn(self.project(excited)) + s
        h = F.relu(self.head(block))
        return s, excited, block, self.fc(F.dropout(torch.flatten(F.adaptive_avg_pool2d(h, 1), 1), 0.2, self.training))


class VggInceptionLike(nn.Module):
    """vgg16_bn's conv-bn-relu and max pools into a flattened map and Linear layers; googlenet's
    and densenet's branches joined by Concat, ceil-mode max pool, average pool with padding."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 8, 3, 1, 1)
        self.b1 = bn(8)
        self.br1 = nn.Conv2d(8, 4, 1)
        self.br2 = nn.Conv2d(8, 4, 3, 1, 2, dilation=2)
        self.br3 = nn.Conv2d(8, 4, 1)
        self.c2 = nn.Conv2d(12, 8, 3, 1, 1)
        self.fc1 = nn.Linear(8 * 4 * 4, 12)
        self.fc2 = nn.Linear(12, 6)

    def forward(self, x):
        a = F.max_pool2d(F.relu(self.b1(self.c1(x))), 3, 2, ceil_mode=True)
        joined = torch.cat([F.relu(self.br1(a)), F.relu(self.br2(a)),
                            F.relu(self.br3(F.avg_pool2d(a, 3, 1, 1, count_include_pad=False)))], 1)
        c = F.max_pool2d(F.relu(self.c2(F.avg_pool2d(joined, 2))), 2)
        flat = torch.flatten(c, 1)
        return a, joined, c, self.fc2(F.dropout(F.relu(self.fc1(flat)), 0.5, self.training))


class ShuffleNetLike(nn.Module):
    """shufflenet_v2's unit: the channels split in halves (chunk), one half through 1x1, depthwise
    and 1x1 convolutions, joined again (Concat) and shuffled (Reshape, Transpose, Reshape)."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, 2, 1)
        self.b1 = nn.Conv2d(4, 4, 1)
        self.bdw = nn.Conv2d(4, 4, 3, 1, 1, groups=4)
        self.b2 = nn.Conv2d(4, 4, 1)
        self.fc = nn.Linear(8, 4)

    @staticmethod
    def shuffle(x, groups):
        n, c, h, w = x.size()
        return x.view(n, groups, c // groups, h, w).transpose(1, 2).contiguous().view(n, -1, h, w)

    def forward(self, x):
        s = F.relu(self.stem(x))
        keep, work = s.chunk(2, dim=1)
        joined = torch.cat((keep, F.relu(self.b2(self.bdw(F.relu(self.b1(work)))))), 1)
        shuffled = self.shuffle(joined, 2)
        return joined, shuffled, self.fc(torch.flatten(F.adaptive_avg_pool2d(shuffled, 1), 1))


class ConvNeXtLike(nn.Module):
    """convnext_tiny's block: a 7x7 depthwise convolution, then channels-last (permute) layer norm,
    Linear, GELU (exported as x * (1 + erf(x / sqrt 2)) / 2), Linear, back to channels-first, a
    per-channel layer scale and the residual sum; its head's layer norm. LayerNormalization is an
    ONNX operator from opset 17, so this one is exported at 17 only."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 2, 2)
        self.dw = nn.Conv2d(8, 8, 7, 1, 3, groups=8)
        self.norm = nn.LayerNorm(8, eps=1e-6)
        self.up = nn.Linear(8, 32)
        self.down = nn.Linear(32, 8)
        self.scale = nn.Parameter(torch.ones(8, 1, 1))
        self.head_norm = nn.LayerNorm(8, eps=1e-6)
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        s = self.stem(x)
        y = self.dw(s).permute(0, 2, 3, 1)
        y = self.down(F.gelu(self.up(self.norm(y)))).permute(0, 3, 1, 2)
        block = s + self.scale * y
        pooled = F.adaptive_avg_pool2d(block, 1)
        normed = self.head_norm(pooled.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
        return s, block, self.fc(torch.flatten(normed, 1))


MODELS = {
    "resnet_like": (ResNetLike, 32, ["stem", "block1", "block2", "logits"]),
    "mobilenet_like": (MobileNetLike, 32, ["stem", "excited", "block", "logits"]),
    "vgg_inception_like": (VggInceptionLike, 35, ["pooled", "joined", "features", "logits"]),
    "shufflenet_like": (ShuffleNetLike, 16, ["joined", "shuffled", "logits"]),
    "convnext_like": (ConvNeXtLike, 16, ["stem", "block", "logits"]),
}


def seeded(model, name, size):
    g = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * (2.0 / max(1, p[0].numel())) ** 0.5)
        calib = torch.rand(8, 3, size, size, generator=g) * 2 - 1
        model.train()
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.momentum = None  # cumulative average over the calibration pass
        model(calib)
        for m in model.modules():
            if isinstance(m, nn.LayerNorm):
                m.weight.copy_(0.5 + torch.rand(m.normalized_shape, generator=g))
                m.bias.copy_(0.3 * torch.randn(m.normalized_shape, generator=g))
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean += 0.3 * m.running_var.sqrt() * torch.randn(m.num_features, generator=g)
                m.running_var *= 0.5 + 1.5 * torch.rand(m.num_features, generator=g)
                m.weight.copy_(0.5 + torch.rand(m.num_features, generator=g))
                m.bias.copy_(0.3 * torch.randn(m.num_features, generator=g))
    model.eval()
    return g


def main(out):
    os.makedirs(out, exist_ok=True)
    for name, (cls, size, outputs) in MODELS.items():
        model = cls()
        g = seeded(model, name, size)
        x = (torch.randint(-128, 128, (1, 3, size, size), generator=g) / 128.0).float()
        with torch.no_grad():
            results = model(x)
        # d(logits[1] + 0.5 * mean of channel 0 of the last named map) / d input, by autograd
        xg = x.clone().requires_grad_(True)
        outs = model(xg)
        (outs[-1][0, 1] + 0.5 * outs[-2][0, 0].mean()).backward()
        for opset in (17,) if name == "convnext_like" else (13, 17):
            torch.onnx.export(model, x, os.path.join(out, f"{name}_opset{opset}.onnx"), opset_version=opset,
                              input_names=["input"], output_names=outputs, do_constant_folding=True)
        ref = {"model": name, "torch": torch.__version__, "input": {"name": "input", "shape": list(x.shape),
                                                                 "data": x.flatten().tolist()},
               "outputs": {n: {"shape": list(r.shape), "data": r.flatten().tolist()} for n, r in zip(outputs, results)},
               "gradient": {"objective": f"logits[1] + 0.5 * mean({outputs[-2]}[0])", "map": outputs[-2],
                            "data": xg.grad.flatten().tolist()}}
        with open(os.path.join(out, f"{name}.json"), "w") as f:
            json.dump(ref, f)
        print(name, [tuple(r.shape) for r in results])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
