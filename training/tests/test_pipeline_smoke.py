"""The whole pipeline in miniature: a few training steps, export, and ONNX parity with PyTorch."""
import json
import os
import subprocess
import sys

import numpy as np
import onnx
import torch

from conftest import ROOT, SHARED, TRAINING
from export import load_model


def test_train_export_and_onnx_matches_pytorch(tmp_path) -> None:
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2"))
    train = subprocess.run(
        [sys.executable, os.path.join(TRAINING, "train.py"), "--config", os.path.join(TRAINING, "configs", "v1.json"),
         "--run", "smoke", "--runs-dir", str(tmp_path), "--steps", "6", "--batch", "2", "--max-photos", "8",
         "--data", os.path.join(SHARED, "train"), "--device", "cpu"],
        capture_output=True, text=True, env=env, timeout=1200,
    )
    assert train.returncode == 0, train.stderr[-2000:]
    assert "step 6/6" in train.stdout and "samples/s" in train.stdout
    ckpt = tmp_path / "smoke" / "last.pt"
    assert ckpt.exists()

    # Resume goes on from the checkpoint's step.
    resumed = subprocess.run(
        [sys.executable, os.path.join(TRAINING, "train.py"), "--run", "smoke", "--runs-dir", str(tmp_path),
         "--resume", str(ckpt), "--steps", "8", "--batch", "2", "--max-photos", "8",
         "--data", os.path.join(SHARED, "train"), "--device", "cpu"],
        capture_output=True, text=True, env=env, timeout=1200,
    )
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "resumed from" in resumed.stdout and "step 8/8" in resumed.stdout

    models = tmp_path / "models"
    weights = tmp_path / "weights.pt"

    def export(*flags: str) -> dict:
        exp = subprocess.run(
            [sys.executable, os.path.join(TRAINING, "export.py"), "--checkpoint", str(ckpt), "--id", "smoke",
             "--models", str(models), "--weights-out", str(weights), *flags],
            capture_output=True, text=True, env=env, timeout=1200,
        )
        assert exp.returncode == 0, exp.stderr[-2000:]
        return json.loads((models / "smoke.json").read_text())

    # A manifest keeps its scores through a re-export of the same network, and loses them when the
    # network changes (here: shipped with the airlight cap, as 1.7.0 is; the parity below runs that graph).
    scored = dict(export(), validation={"outdoor": {"psnr": 1.0}})
    (models / "smoke.json").write_text(json.dumps(scored))
    assert export()["validation"] == scored["validation"]
    manifest = export("--airlight-cap")
    assert manifest["validation"] is None and manifest["training"]["config"]["airlight_cap"] is True
    onnx_path = models / "smoke.onnx"
    graph = onnx.load(str(onnx_path))
    onnx.checker.check_model(graph)
    assert manifest["opset"] == 17 == graph.opset_import[0].version
    assert [i.name for i in graph.graph.input] == [manifest["input"]["name"]]
    assert [o.name for o in graph.graph.output] == [manifest["outputs"]["transmission"]["name"], manifest["outputs"]["airlight"]["name"]]
    assert manifest["budget"]["macsAt512x384"] <= 2e9 and manifest["budget"]["weightBytes"] <= 4e6

    model, _, _ = load_model(str(weights))
    x = torch.rand(1, 3, 48, 80, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        t_ref, a_ref = model(x)
    inp = tmp_path / "input.f32"
    x.numpy().astype("<f4").tofile(inp)
    run = subprocess.run(["node", os.path.join(TRAINING, "tests", "onnx_run.mjs"), str(onnx_path), str(inp), "48", "80"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    t_onnx = np.fromfile(tmp_path / "transmission.f32", dtype="<f4").reshape(t_ref.shape)
    a_onnx = np.fromfile(tmp_path / "airlight.f32", dtype="<f4").reshape(a_ref.shape)
    assert np.abs(t_onnx - t_ref.numpy()).max() <= 1e-4
    assert np.abs(a_onnx - a_ref.numpy()).max() <= 1e-4
