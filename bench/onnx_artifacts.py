"""Training artifacts for the onnxruntime-web peer of `cargo xtask bench --train`.

Builds the benchmark's network as an ONNX graph (no PyTorch needed) and lets
PyPI's onnxruntime-training turn it into the four files onnxruntime-web's
`/training` entry loads: training model, eval model, optimizer model and
checkpoint. `bench/train.mjs` runs this with the venv that
`cargo xtask bench --train` makes under target/.

  python bench/onnx_artifacts.py --out DIR --widths 16,32,64 --batch 32 --classes 6 --norm batch|none [--eps 1e-5]

The network: per width, a 3×3 convolution (stride 1, padding 1) → batch
norm (or none; the convolution has a bias only without norm) → ReLU → 2×2
max pool after every block but the last; global average pool; a linear
layer to the classes; softmax cross-entropy (onnxblock's CrossEntropyLoss,
mean over the batch).

Batch norm is built from primitives (ReduceMean, Sub, Mul, Add, Sqrt, Div):
onnxruntime-web's training build has no BatchNormalization training kernel.
It normalizes with the batch statistics (biased variance, as in training
mode) and keeps no running statistics, so it does a little less work than
a full batch-norm layer.

The optimizer: onnxruntime-training's artifacts offer AdamW and plain SGD
(`SGDOptimizerV2`: no momentum, no weight decay), and onnxruntime-web
1.19.2 fails to create a training session with the SGD optimizer model (a
bare numeric exception from its wasm), so AdamW it is. Its update is a few
more passes over about 25 k parameters than SGD with momentum, which is
small against the convolutions.

Weights are He-normal from a fixed seed; the figures timed are steps per
second, not accuracy.
"""

import argparse
import json
import pathlib
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# ReduceMean takes its axes as an attribute up to opset 17, which
# onnxruntime-training's gradient builder handles; 1.19 runs opset ≤ 21.
OPSET = 17


def build(widths, batch, classes, norm, eps, seed=7):
    rng = np.random.default_rng(seed)
    nodes, inits = [], []

    def param(name, array):
        inits.append(numpy_helper.from_array(array.astype(np.float32), name))
        return name

    def node(op, inputs, name, **attrs):
        nodes.append(helper.make_node(op, inputs, [name], name=f"{name}_{op}", **attrs))
        return name

    x, cin = "input", 3
    for i, w in enumerate(widths):
        p = f"b{i}"
        fan_in = cin * 9
        weight = param(f"{p}_conv_w", rng.normal(0.0, np.sqrt(2.0 / fan_in), (w, cin, 3, 3)))
        inputs = [x, weight] + ([param(f"{p}_conv_b", np.zeros(w))] if norm == "none" else [])
        x = node("Conv", inputs, f"{p}_conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1])
        if norm == "batch":
            mean = node("ReduceMean", [x], f"{p}_mean", axes=[0, 2, 3], keepdims=1)
            d = node("Sub", [x, mean], f"{p}_centred")
            var = node("ReduceMean", [node("Mul", [d, d], f"{p}_sq")], f"{p}_var", axes=[0, 2, 3], keepdims=1)
            std = node("Sqrt", [node("Add", [var, param(f"{p}_eps", np.full((1,), eps))], f"{p}_vareps")], f"{p}_std")
            xhat = node("Div", [d, std], f"{p}_xhat")
            gamma = param(f"{p}_gamma", np.ones((1, w, 1, 1)))
            beta = param(f"{p}_beta", np.zeros((1, w, 1, 1)))
            x = node("Add", [node("Mul", [xhat, gamma], f"{p}_scaled"), beta], f"{p}_bn")
        elif norm != "none":
            sys.exit(f"onnx_artifacts.py: --norm must be batch or none (got {norm})")
        x = node("Relu", [x], f"{p}_relu")
        if i < len(widths) - 1:
            x = node("MaxPool", [x], f"{p}_pool", kernel_shape=[2, 2], strides=[2, 2])
        cin = w
    x = node("GlobalAveragePool", [x], "gap")
    x = node("Flatten", [x], "flat", axis=1)
    fc_w = param("fc_w", rng.normal(0.0, np.sqrt(1.0 / cin), (classes, cin)))
    fc_b = param("fc_b", np.zeros(classes))
    nodes.append(helper.make_node("Gemm", [x, fc_w, fc_b], ["output"], name="fc_Gemm", transB=1))
    graph = helper.make_graph(
        nodes,
        "normscope_bench_net",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [batch, 3, 32, 32])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [batch, classes])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    # IR version 8: what onnxruntime 1.19 reads without question.
    model.ir_version = 8
    onnx.checker.check_model(model)
    trainable = [t.name for t in inits if not t.name.endswith("_eps")]
    frozen = [t.name for t in inits if t.name.endswith("_eps")]
    return model, trainable, frozen


def load_artifacts_module():
    """onnxruntime-training's `artifacts` module, without PyTorch.

    The package's `__init__` imports its PyTorch-only parts (`optim`, `amp`),
    and PyPI's torch for Linux pulls gigabytes of CUDA libraries. Making the
    artifacts needs none of it (`artifacts` uses onnx and `onnxblock` only),
    so the package is entered without running its `__init__`.
    """
    import importlib
    import types

    import onnxruntime

    onnxruntime.set_default_logger_severity(3)  # errors only; its INFO lines are noise here
    name = "onnxruntime.training"
    if name not in sys.modules:
        package = types.ModuleType(name)
        package.__path__ = [str(pathlib.Path(onnxruntime.__file__).parent / "training")]
        sys.modules[name] = package
    return onnxruntime.__version__, importlib.import_module(f"{name}.artifacts")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--widths", default="16,32,64")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--classes", type=int, default=6)
    ap.add_argument("--norm", default="batch")
    ap.add_argument("--eps", type=float, default=1e-5)
    a = ap.parse_args()
    ort_version, artifacts = load_artifacts_module()

    widths = [int(w) for w in a.widths.split(",")]
    model, trainable, frozen = build(widths, a.batch, a.classes, a.norm, a.eps)
    out = pathlib.Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    artifacts.generate_artifacts(
        model,
        requires_grad=trainable,
        frozen_params=frozen,
        loss=artifacts.LossType.CrossEntropyLoss,
        optimizer=artifacts.OptimType.AdamW,
        artifact_directory=out,
    )
    info = {
        "onnxruntime_training": ort_version,
        "onnx": onnx.__version__,
        "opset": OPSET,
        "widths": widths,
        "batch": a.batch,
        "classes": a.classes,
        "norm": a.norm,
        "eps": a.eps,
        "optimizer": "AdamW (onnxblock defaults; the SGD optimizer model does not load in onnxruntime-web 1.19.2)",
        "batch_norm": "from primitives, batch statistics, no running statistics" if a.norm == "batch" else None,
        "files": sorted(p.name for p in out.iterdir()),
    }
    (out / "artifacts.json").write_text(json.dumps(info, indent=1) + "\n")
    print(json.dumps(info))


if __name__ == "__main__":
    main()
