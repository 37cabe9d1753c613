#!/usr/bin/env python3
"""VGG16's convolutional part in PyTorch, for the side-by-side benchmark only (SideBySide.java).

  torch_vgg16.py export OUT.onnx   writes torchvision's VGG16 (random weights, seed 0) as ONNX,
                                   its outputs the five block taps cnnsee reads, for ONNX Runtime
  torch_vgg16.py serve             times passes on request: reads a count N per line on stdin,
                                   answers one line of N pass times in milliseconds

The taps are the outputs of the last ReLU of each block (torchvision's features 3, 8, 15, 22,
29), as Keras' block1_conv2 ... block5_conv3 include their ReLU. Each pass copies the five taps
out as contiguous float arrays, as cnnsee and the ONNX Runtime harness do. Two threads, channels
last (oneDNN's favoured layout in PyTorch 1.13), no gradients. Needs Debian's python3-torch and
python3-torchvision; cnnsee itself never runs Python.
"""
import sys
import time

import torch
import torchvision

TAPS = (3, 8, 15, 22, 29)


class Taps(torch.nn.Module):
    def __init__(self, features):
        super().__init__()
        self.features = features

    def forward(self, x):
        out = []
        for i, layer in enumerate(self.features):
            x = layer(x)
            if i in TAPS:
                out.append(x)
            if i == TAPS[-1]:
                break
        return tuple(out)


def model():
    torch.manual_seed(0)
    vgg = torchvision.models.vgg16(weights=None)
    return Taps(vgg.features).eval()


def export(path):
    m = model()
    x = torch.rand(1, 3, 224, 224)
    torch.onnx.export(m, x, path, opset_version=13, input_names=["input"],
                      output_names=["block%d" % (i + 1) for i in range(5)])


def serve():
    torch.set_num_threads(2)
    m = model().to(memory_format=torch.channels_last)
    x = torch.rand(1, 3, 224, 224).to(memory_format=torch.channels_last)
    print("ready torch %s, %d threads" % (torch.__version__, torch.get_num_threads()), flush=True)
    with torch.no_grad():
        for line in sys.stdin:
            n = int(line)
            times = []
            for _ in range(n):
                start = time.perf_counter()
                taps = m(x)
                copies = [t.contiguous().numpy() for t in taps]  # NCHW copies, as the others give
                times.append((time.perf_counter() - start) * 1000)
                del copies
            print(" ".join("%.3f" % t for t in times), flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "export":
        export(sys.argv[2])
    elif len(sys.argv) == 2 and sys.argv[1] == "serve":
        serve()
    else:
        sys.exit(__doc__)
