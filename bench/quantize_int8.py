"""Static int8 quantisation (QDQ) of a leukoscan ONNX model's convolutions, without onnxruntime's Python
package (not installable here): this writes the Q/DQ pattern onnxruntime's CPU provider fuses into
QLinearConv (int8 weights per output channel, uint8 activations per tensor), with activation ranges
measured by `bench/calibrate-int8.ts` on real frames through onnxruntime-node.

    bash bench/quantize-int8.sh models/leukoscan-lite.onnx [calibration images, default 16]

which runs the steps:

    /usr/bin/python3 bench/quantize_int8.py augment  MODEL.onnx AUG.onnx TENSORS.json
    npx tsx bench/calibrate-int8.ts AUG.onnx TENSORS.json RANGES.json --card MODEL.json --images N
    /usr/bin/python3 bench/quantize_int8.py quantize MODEL.onnx RANGES.json MODEL.int8.onnx
    /usr/bin/python3 bench/quantize_int8.py card MODEL.onnx RANGES.json
    node bin/leukoscan.js eval ... --model MODEL.int8.onnx --json EVAL.json       (unless --no-eval)
    /usr/bin/python3 bench/quantize_int8.py card MODEL.onnx RANGES.json EVAL.json  (unless --no-eval)

`card` writes the int8 file's own card MODEL.int8.json: the float card (classes, input, normalisation,
post-processing, training data, config) with the int8 file's `onnx` entry (hash, size), a
`quantization` entry (the float file and its hash it was made from, scheme, calibration) and the int8
file's own BCCD test `metrics` (empty until measured). `--precision auto` runs the int8 file only when
this card matches both files (src/detect/precision.ts). MODEL.json is not touched.

Needs the `onnx` Python package (Debian: python3-onnx). By default only Conv is quantised; everything
else (attention, GridSample, MatMul, heads) stays float. With `--matmul` (after the positional
arguments of `augment`, `quantize` and `card`) the encoder's token-wise MatMuls are quantised too
(ENCODER_MATMUL: value and output projections and the FFN; int8 weights per output column, uint8
activations per tensor), which onnxruntime fuses into MatMulIntegerToFloat. The sampling offsets,
attention weights, LayerNorm, Softmax, GridSample and the whole decoder stay float (issue 26: a
fully int8 transformer detector is known to break).

`--weight-bits 7` (after the positional arguments of `quantize` and `card`) keeps the int8 weights in
±63. On a CPU without VNNI, onnxruntime's u8 x s8 kernels (AVX2 vpmaddubsw) add two uint8 x int8
products into an int16 that saturates: 2 x 255 x 127 overflows it, 2 x 255 x 63 does not. 7-bit
weights (onnxruntime's own `reduce_range`) make the int8 file exact on those CPUs too; the card
records `weightBits`, and `--precision auto` then runs it without VNNI (src/detect/precision.ts).
"""
import re
import datetime
import hashlib
import json
import os
import sys
from collections import defaultdict

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def load(path):
    m = onnx.load(path)
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    producer = {o: n for n in g.node for o in n.output}
    consumers = defaultdict(list)
    for n in g.node:
        for i in n.input:
            consumers[i].append(n)
    return m, g, inits, producer, consumers


# the encoder layers' MatMuls over every token (names of the exported graph); not the sampling offsets or the
# attention weights (they steer GridSample), not the decoder (300 queries: little time, most of the accuracy)
ENCODER_MATMUL = re.compile(r"^/model/(attn/(value_proj|output_proj)|ffn/net/net\.[03])(_\d+)?/MatMul$")


def quantised_matmuls(g, inits, producer):
    """The MatMul nodes `--matmul` quantises: ENCODER_MATMUL names with a constant 2-D weight."""
    out = []
    for n in g.node:
        if n.op_type == "MatMul" and ENCODER_MATMUL.match(n.name or ""):
            try:
                w, _ = float_weight(n.input[1], inits, producer)
            except ValueError:
                continue
            if w.ndim == 2:
                out.append(n)
    return out


def activation_sites(g, consumers, matmuls=()):
    """-> (conv and MatMul inputs, conv 'outputs') to calibrate; a Conv whose only consumer is Relu is
    calibrated (and later quantised) after the Relu, so onnxruntime can drop the Relu."""
    ins, outs = [], []
    for n in matmuls:
        if n.input[0] not in ins:
            ins.append(n.input[0])
    for n in g.node:
        if n.op_type != "Conv":
            continue
        if n.input[0] not in ins:
            ins.append(n.input[0])
        y = n.output[0]
        c = consumers[y]
        if len(c) == 1 and c[0].op_type == "Relu":
            y = c[0].output[0]
        if y not in outs:
            outs.append(y)
    return ins, outs


def augment(src, dst, tensors_json, matmul=False):
    m, g, inits, producer, consumers = load(src)
    ins, outs = activation_sites(g, consumers, quantised_matmuls(g, inits, producer) if matmul else ())
    names = list(dict.fromkeys(ins + outs))
    existing = {o.name for o in g.output}
    for t in names:
        if t not in existing:
            g.output.append(helper.make_tensor_value_info(t, TensorProto.FLOAT, None))
    onnx.save(m, dst)
    with open(tensors_json, "w") as f:
        json.dump({"tensors": names}, f)
    print(f"augmented {len(names)} tensors -> {dst}")


def float_weight(name, inits, producer):
    """Conv weight as float32 numpy, following a Cast from an fp16 initializer."""
    if name in inits:
        return numpy_helper.to_array(inits[name]).astype(np.float32), []
    n = producer.get(name)
    if n is not None and n.op_type == "Cast" and n.input[0] in inits:
        return numpy_helper.to_array(inits[n.input[0]]).astype(np.float32), [n]
    raise ValueError(f"Conv weight {name} is neither an initializer nor a Cast of one")


def quantize(src, ranges_json, dst, matmul=False, weight_bits=8):
    m, g, inits, producer, consumers = load(src)
    qmax = float(2 ** (weight_bits - 1) - 1)  # 127, or 63 for 7-bit weights (module docstring)
    matmuls = quantised_matmuls(g, inits, producer) if matmul else []
    with open(ranges_json) as f:
        ranges = json.load(f)["ranges"]
    new_inits, new_nodes = [], []
    act_q = {}  # float tensor -> (scale, zero_point, dq output name)

    def act_params(t):
        lo, hi = ranges[t]
        lo, hi = min(lo, 0.0), max(hi, 0.0)
        scale = max((hi - lo) / 255.0, 1e-8)
        zp = int(np.clip(round(-lo / scale), 0, 255))
        return np.float32(scale), np.uint8(zp)

    def qdq(t):
        """Insert Q -> DQ after float tensor t; rewire t's consumers (except the Q) to the DQ output."""
        if t in act_q:
            return act_q[t]
        scale, zp = act_params(t)
        s_name, z_name = f"{t}_qscale", f"{t}_qzp"
        new_inits.append(numpy_helper.from_array(np.array(scale, np.float32), s_name))
        new_inits.append(numpy_helper.from_array(np.array(zp, np.uint8), z_name))
        q_out, dq_out = f"{t}_q", f"{t}_dq"
        for n in g.node:
            for i, name in enumerate(n.input):
                if name == t:
                    n.input[i] = dq_out
        for o in g.output:
            if o.name == t:  # keep graph outputs float and exact
                pass
        new_nodes.append(helper.make_node("QuantizeLinear", [t, s_name, z_name], [q_out], name=f"{t}_Q"))
        new_nodes.append(helper.make_node("DequantizeLinear", [q_out, s_name, z_name], [dq_out], name=f"{t}_DQ"))
        act_q[t] = (float(scale), int(zp), dq_out)
        return act_q[t]

    convs = [n for n in g.node if n.op_type == "Conv"]
    dead = []
    ins, outs = activation_sites(g, consumers, matmuls)
    for t in ins + outs:
        if t not in ranges:
            raise ValueError(f"no calibration range for {t}")
    matmul_inputs = {n.input[0] for n in matmuls}
    dead_matmuls = []
    for t in list(dict.fromkeys(ins + outs)):
        if t not in matmul_inputs:
            qdq(t)
    for n in convs:
        x_dq = n.input[0]
        x = x_dq[:-3] if x_dq.endswith("_dq") else x_dq
        sx = act_q[x][0]
        w, casts = float_weight(n.input[1], inits, producer)
        dead += casts
        oc = w.shape[0]
        sw = np.maximum(np.abs(w.reshape(oc, -1)).max(axis=1) / qmax, 1e-12).astype(np.float32)
        wq = np.clip(np.round(w / sw.reshape(-1, *([1] * (w.ndim - 1)))), -qmax, qmax).astype(np.int8)
        base = n.name or n.output[0]
        wq_name, ws_name, wz_name, wdq = f"{base}_wq", f"{base}_wscale", f"{base}_wzp", f"{base}_wdq"
        new_inits += [numpy_helper.from_array(wq, wq_name), numpy_helper.from_array(sw, ws_name),
                      numpy_helper.from_array(np.zeros(oc, np.int8), wz_name)]
        new_nodes.append(helper.make_node("DequantizeLinear", [wq_name, ws_name, wz_name], [wdq], name=f"{base}_WDQ", axis=0))
        n.input[1] = wdq
        if len(n.input) > 2 and n.input[2]:
            b, bcasts = float_weight(n.input[2], inits, producer)
            dead += bcasts
            bs = (sx * sw).astype(np.float32)
            bq = np.round(b / bs).astype(np.int32)
            bq_name, bs_name, bz_name, bdq = f"{base}_bq", f"{base}_bscale", f"{base}_bzp", f"{base}_bdq"
            new_inits += [numpy_helper.from_array(bq, bq_name), numpy_helper.from_array(bs, bs_name),
                          numpy_helper.from_array(np.zeros(oc, np.int32), bz_name)]
            new_nodes.append(helper.make_node("DequantizeLinear", [bq_name, bs_name, bz_name], [bdq], name=f"{base}_BDQ", axis=0))
            n.input[2] = bdq
    for n in matmuls:
        # QuantizeLinear of the activation (read by this MatMul only: the residual stream stays float), then
        # com.microsoft MatMulIntegerToFloat (uint8 x int8 -> float, scales applied in the kernel): onnxruntime
        # does not fuse a DQ -> MatMul without a Q after it, so the fused op is written out
        t = n.input[0]
        scale, zp = act_params(t)
        base = n.name or n.output[0]
        s_name, z_name, q_out = f"{base}_xscale", f"{base}_xzp", f"{base}_xq"
        w, casts = float_weight(n.input[1], inits, producer)  # [K, N]
        dead += casts
        sw = np.maximum(np.abs(w).max(axis=0) / qmax, 1e-12).astype(np.float32)  # per output column [N]
        wq = np.clip(np.round(w / sw[None, :]), -qmax, qmax).astype(np.int8)
        wq_name, ws_name, wz_name = f"{base}_wq", f"{base}_wscale", f"{base}_wzp"
        new_inits += [numpy_helper.from_array(np.array(scale, np.float32), s_name),
                      numpy_helper.from_array(np.array(zp, np.uint8), z_name),
                      numpy_helper.from_array(wq, wq_name), numpy_helper.from_array(sw, ws_name),
                      numpy_helper.from_array(np.zeros(w.shape[1], np.int8), wz_name)]
        new_nodes += [helper.make_node("QuantizeLinear", [t, s_name, z_name], [q_out], name=f"{base}_XQ"),
                      helper.make_node("MatMulIntegerToFloat", [q_out, wq_name, s_name, ws_name, z_name, wz_name],
                                       [n.output[0]], name=f"{base}_int8", domain="com.microsoft")]
        dead_matmuls.append(n)
    for n in dead_matmuls:
        g.node.remove(n)
    # drop Casts of fp16 weights that nothing reads any more
    used = {i for n in g.node for i in n.input} | {i for n in new_nodes for i in n.input}
    for c in dead:
        if c.output[0] not in used and c in g.node:
            g.node.remove(c)
    # topological order: put each Q/DQ right after its producer by re-sorting the whole graph
    nodes = list(g.node) + new_nodes
    available = {i.name for i in g.input} | {i.name for i in g.initializer} | {i.name for i in new_inits} | {""}
    ordered, pending = [], nodes
    while pending:
        rest = []
        for n in pending:
            if all(i in available for i in n.input):
                ordered.append(n)
                available.update(n.output)
            else:
                rest.append(n)
        if len(rest) == len(pending):
            raise ValueError(f"cannot order graph: {rest[0].name} waits on {[i for i in rest[0].input if i not in available]}")
        pending = rest
    del g.node[:]
    g.node.extend(ordered)
    g.initializer.extend(new_inits)
    used = {i for n in g.node for i in n.input}
    keep = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    if matmuls and not any(o.domain == "com.microsoft" for o in m.opset_import):
        m.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.checker.check_model(m)
    onnx.save(m, dst)
    print(f"quantised {len(convs)} Conv and {len(matmuls)} MatMul nodes, {len(act_q)} activation tensors -> {dst}")


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def card(model, ranges_json, eval_json=None, matmul=False, weight_bits=8):
    """Write MODEL.int8.json, the int8 file's own card (see the module docstring)."""
    base = model[:-len(".onnx")]
    int8, float_card, int8_card = base + ".int8.onnx", base + ".json", base + ".int8.json"
    with open(float_card) as f:
        c = json.load(f)
    with open(ranges_json) as f:
        ranges = json.load(f)
    c.pop("int8", None)  # cards written before the int8 file had its own
    c.pop("torchWeights", None)
    c["name"] = c["name"] + ".int8"
    c["onnx"] = {"file": os.path.basename(int8), "sha256": sha256_file(int8), "bytes": os.path.getsize(int8),
                 "opset": c.get("onnx", {}).get("opset")}
    c["quantization"] = {
        "sourceFile": os.path.basename(model),
        "sourceSha256": sha256_file(model),
        "scheme": "QDQ on every Conv" + (" and the encoder's value/output projections and FFN MatMuls" if matmul else "")
                  + f": int8 weights per output channel (symmetric, {weight_bits}-bit range ±{2 ** (weight_bits - 1) - 1}), "
                  "uint8 activations per tensor (min/max); the rest float",
        "weightBits": weight_bits,
        "calibration": {"images": ranges["images"], "tensors": len(ranges["ranges"]),
                        "from": "BCCD trainval fields, pre-processed as the detector does"},
        "tool": "bench/quantize-int8.sh",
    }
    c["metrics"] = {}
    if eval_json:
        with open(eval_json) as f:
            c["metrics"] = {"bccd3": json.load(f)}
    c["date"] = datetime.date.today().isoformat()
    with open(int8_card, "w") as f:
        json.dump(c, f, indent=2)
        f.write("\n")
    print(f"card: {int8_card}" + (" with its BCCD test metrics" if eval_json else " (metrics not measured yet)"))


def pop_weight_bits(argv):
    """`--weight-bits N` (7 or 8) out of argv -> (N, the rest); 8 when absent."""
    if "--weight-bits" not in argv:
        return 8, argv
    i = argv.index("--weight-bits")
    bits = int(argv[i + 1])
    if bits not in (7, 8):
        sys.exit("--weight-bits must be 7 or 8")
    return bits, argv[:i] + argv[i + 2:]


if __name__ == "__main__":
    matmul = "--matmul" in sys.argv[2:]
    weight_bits, argv = pop_weight_bits([a for a in sys.argv if a != "--matmul"])
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "augment" and len(argv) == 5:
        augment(*argv[2:], matmul=matmul)
    elif cmd == "quantize" and len(argv) == 5:
        quantize(*argv[2:], matmul=matmul, weight_bits=weight_bits)
    elif cmd == "card" and len(argv) in (4, 5):
        card(*argv[2:], matmul=matmul, weight_bits=weight_bits)
    else:
        sys.exit(__doc__)
