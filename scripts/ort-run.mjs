// Runs an ONNX model with onnxruntime-node on a raw float32 input and prints the outputs as JSON.
// Used by training/tests/test_export.py for the PyTorch <-> ONNX Runtime parity check.
// usage: node scripts/ort-run.mjs MODEL.onnx INPUT.f32 N,C,H,W
import { readFileSync } from 'node:fs';
import ort from 'onnxruntime-node';

const [model, inputPath, dimsArg] = process.argv.slice(2);
if (!model || !inputPath || !dimsArg) {
  console.error('usage: node scripts/ort-run.mjs MODEL.onnx INPUT.f32 N,C,H,W');
  process.exit(2);
}
const dims = dimsArg.split(',').map(Number);
const buf = readFileSync(inputPath);
const data = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'] });
const out = await session.run({ images: new ort.Tensor('float32', data, dims) });
const result = {};
for (const [name, t] of Object.entries(out)) result[name] = { dims: t.dims, data: Array.from(t.data) };
await session.release();
process.stdout.write(JSON.stringify(result));
