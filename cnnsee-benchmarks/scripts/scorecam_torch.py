"""Score-CAM's work in plain PyTorch, as pytorch-grad-cam's ScoreCAM does it (benchmark only).

pytorch-grad-cam cannot be installed here; this repeats what its ScoreCAM runs: the activations
of torchvision's VGG16 at features[28] (block5_conv3), each channel upsampled with
UpsamplingBilinear2d and scaled to 0..1, the picture masked by each, and the 512 masked pictures
scored in batches of 16 (its default). Also a deletion curve of 224 steps (225 pictures, batches
of 16). Random weights, 224 x 224, torch.set_num_threads(2).

    /usr/bin/python3 cnnsee-benchmarks/scripts/scorecam_torch.py [ROUNDS]
"""
import sys
import time

import torch
import torchvision

torch.set_num_threads(2)
torch.manual_seed(42)
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
model = torchvision.models.vgg16().eval()
x = torch.rand(1, 3, 224, 224)
features = model.features[:30]  # up to and with block5_conv3's ReLU


def score_cam():
    with torch.no_grad():
        a = features(x)
        up = torch.nn.UpsamplingBilinear2d(size=(224, 224))(a)
        flat = up.view(512, -1)
        mins = flat.min(dim=1)[0].view(512, 1, 1)
        maxs = flat.max(dim=1)[0].view(512, 1, 1)
        up = (up[0] - mins) / (maxs - mins + 1e-8)
        scores = []
        for i in range(0, 512, 16):
            batch = x * up[i:i + 16, None, :, :]
            scores.append(model(batch)[:, 0])
        return torch.softmax(torch.cat(scores), dim=0)


def deletion():
    with torch.no_grad():
        order = torch.randperm(224 * 224)
        probabilities = []
        for start in range(0, 225, 16):
            batch = []
            for s in range(start, min(start + 16, 225)):
                keep = torch.ones(224 * 224)
                keep[order[: round(s * 224 * 224 / 224)]] = 0
                batch.append(x[0] * keep.view(1, 224, 224))
            probabilities.append(torch.softmax(model(torch.stack(batch)), dim=1)[:, 0])
        return torch.cat(probabilities)


def single_passes(n):
    with torch.no_grad():
        for _ in range(n):
            model(x)


for name, work in [("Score-CAM, 512 masked pictures in batches of 16", score_cam),
                   ("512 single-picture passes", lambda: single_passes(512)),
                   ("Deletion curve, 224 steps, batches of 16", deletion),
                   ("225 single-picture passes", lambda: single_passes(225))]:
    times = []
    for r in range(rounds + 1):
        start = time.perf_counter()
        work()
        if r > 0:
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(f"| PyTorch {torch.__version__}: {name} | {times[len(times) // 2]:.0f} ms |")
