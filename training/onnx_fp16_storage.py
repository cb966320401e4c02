"""Store an ONNX model's large float32 initializers as float16, with a Cast back to float32.

Halves the file (the shipped-model size limit is 40 MB) while inference still computes in float32:
onnxruntime folds each Cast of a constant at session creation. Only the stored weights are rounded.
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def to_fp16_storage(src: str, dst: str, min_elements: int = 1024) -> dict:
    model = onnx.load(src)
    graph = model.graph
    new_inits, casts, n_conv = [], [], 0
    for init in graph.initializer:
        if init.data_type == TensorProto.FLOAT and np.prod(init.dims) >= min_elements:
            arr = numpy_helper.to_array(init).astype(np.float16)
            half = numpy_helper.from_array(arr, name=init.name + "__fp16")
            new_inits.append(half)
            casts.append(helper.make_node("Cast", [half.name], [init.name], to=TensorProto.FLOAT,
                                          name=init.name + "__cast"))
            n_conv += 1
        else:
            new_inits.append(init)
    del graph.initializer[:]
    graph.initializer.extend(new_inits)
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(casts + nodes)
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    return {"converted": n_conv}
