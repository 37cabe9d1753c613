#!/usr/bin/env python3
"""torchvision's CNNs as ONNX, with PyTorch's own outputs, for TorchvisionCheck only (benchmark step).

  /usr/bin/python3 torchvision_models.py DIR [NAME ...]

For each network (random weights, torch.manual_seed(0), eval mode) writes into DIR:
  NAME.onnx            torch.onnx.export at opset 17, constant folding on (batch norms folded)
  NAME.input.f32       the input, [1, 3, S, S] float32 little-endian (S = 299 for inception_v3, else 224)
  NAME.logits.f32      PyTorch's logits for it
  NAME.taps.json       per top-level block (a child module with children) whose output is a map: its
                       shape, its values in NAME.<child>.f32
Needs Debian's python3-torch and python3-torchvision; cnnsee itself never runs Python.
"""
import json
import os
import sys

import torch
import torchvision

NAMES = ["resnet18", "resnet50", "resnet101", "wide_resnet50_2", "resnext50_32x4d", "vgg16", "vgg16_bn", "densenet121",
         "inception_v3", "googlenet", "mobilenet_v2", "mobilenet_v3_large", "efficientnet_b0", "efficientnet_v2_s",
         "regnet_y_400mf", "squeezenet1_1", "shufflenet_v2_x1_0", "convnext_tiny"]


def export(out, name):
    torch.manual_seed(0)
    kwargs = {"aux_logits": False, "init_weights": True} if name in ("inception_v3", "googlenet") else {}
    model = getattr(torchvision.models, name)(weights=None, **kwargs).eval()
    size = 299 if name == "inception_v3" else 224
    x = torch.randn(1, 3, size, size, generator=torch.Generator().manual_seed(1))
    taps = {}

    def hook(child):
        def save(module, inputs, output):
            if isinstance(output, torch.Tensor) and output.dim() == 4:
                taps[child] = output.detach().clone()
        return save

    for child, module in model.named_children():
        if len(list(module.children())) > 0:  # a block; a lone conv or batch norm may be folded away in the export
            module.register_forward_hook(hook(child))
    with torch.no_grad():
        logits = model(x)
    torch.onnx.export(model, x, os.path.join(out, name + ".onnx"), opset_version=17, input_names=["input"],
                      output_names=["logits"], do_constant_folding=True)
    x.numpy().astype("<f4").tofile(os.path.join(out, name + ".input.f32"))
    logits.numpy().astype("<f4").tofile(os.path.join(out, name + ".logits.f32"))
    meta = {}
    for child, t in taps.items():
        t.numpy().astype("<f4").tofile(os.path.join(out, f"{name}.{child}.f32"))
        meta[child] = list(t.shape)
    with open(os.path.join(out, name + ".taps.json"), "w") as f:
        json.dump({"size": size, "taps": meta}, f)
    print(name, size, {k: v for k, v in meta.items()}, flush=True)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name in sys.argv[2:] or NAMES:
        try:
            export(out, name)
        except Exception as e:  # report and go on: one network's exporter failure is a row of its own
            print(name, "EXPORT FAILED", e, flush=True)


if __name__ == "__main__":
    main()
