/**
 * Builds small ONNX models byte by byte (protobuf wire format, onnx.proto field numbers), so tests need neither
 * Python nor a model file: `linearRegressionOnnx(weights, bias)` computes `variable = input · W + b` with
 * MatMul + Add on float32, input `[N, features]`, output `[N, 1]`, opset 13 — the shape skl2onnx gives a
 * LinearRegression.
 */

function varint(n: number | bigint): number[] {
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}

const key = (field: number, wire: number): number[] => varint((field << 3) | wire);
const int = (field: number, value: number): number[] => [...key(field, 0), ...varint(value)];
const bytes = (field: number, data: readonly number[]): number[] => [...key(field, 2), ...varint(data.length), ...data];
const str = (field: number, text: string): number[] => bytes(field, [...Buffer.from(text, 'utf8')]);

function floats(values: readonly number[]): number[] {
  const buf = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => buf.writeFloatLE(v, i * 4));
  return [...buf];
}

const FLOAT = 1;

function tensor(name: string, dims: readonly number[], values: readonly number[]): number[] {
  return [...dims.flatMap((d) => int(1, d)), ...int(2, FLOAT), ...str(8, name), ...bytes(9, floats(values))];
}

function valueInfo(name: string, dims: readonly (number | string)[]): number[] {
  const dimensions = dims.flatMap((d) => bytes(1, typeof d === 'number' ? int(1, d) : str(2, d)));
  const tensorType = [...int(1, FLOAT), ...bytes(2, dimensions)];
  return [...str(1, name), ...bytes(2, bytes(1, tensorType))];
}

function node(op: string, inputs: readonly string[], outputs: readonly string[], name: string): number[] {
  return [...inputs.flatMap((i) => str(1, i)), ...outputs.flatMap((o) => str(2, o)), ...str(3, name), ...str(4, op)];
}

export function linearRegressionOnnx(weights: readonly number[], bias: number): Uint8Array {
  const graph = [
    ...bytes(1, node('MatMul', ['input', 'coef'], ['multiplied'], 'matmul')),
    ...bytes(1, node('Add', ['multiplied', 'intercept'], ['variable'], 'add')),
    ...str(2, 'linear_regression'),
    ...bytes(5, tensor('coef', [weights.length, 1], weights)),
    ...bytes(5, tensor('intercept', [1], [bias])),
    ...bytes(11, valueInfo('input', ['N', weights.length])),
    ...bytes(12, valueInfo('variable', ['N', 1])),
  ];
  const model = [...int(1, 7), ...str(2, 'runlog-test'), ...bytes(7, graph), ...bytes(8, [...str(1, ''), ...int(2, 13)])];
  return Uint8Array.from(model);
}
