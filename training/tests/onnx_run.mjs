// Runs an ONNX model with onnxruntime-node on a float32 NCHW input file; writes each output as
// <name>.f32 next to the input. Used by the Python smoke test to compare the graph with PyTorch.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';

const [model, input, h, w] = process.argv.slice(2);
const bytes = readFileSync(input);
const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
const session = await ort.InferenceSession.create(model);
const outputs = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', data, [1, 3, Number(h), Number(w)]) });
for (const [name, tensor] of Object.entries(outputs)) {
  writeFileSync(join(dirname(input), `${name}.f32`), Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
}
console.log(JSON.stringify({ inputs: session.inputNames, outputs: session.outputNames }));
