// A tiny protobuf writer for the few ONNX messages a one-operation model
// needs, so the benchmark builds its onnxruntime-web models in memory.
//
// Field numbers are those of onnx.proto (ModelProto, GraphProto, NodeProto,
// AttributeProto, TensorProto, ValueInfoProto, TypeProto).

const enc = new TextEncoder();

function varint(n) {
  const out = [];
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}

const key = (field, wire) => varint((field << 3) | wire);
const bytesField = (field, bytes) => [...key(field, 2), ...varint(bytes.length), ...bytes];
const strField = (field, s) => bytesField(field, [...enc.encode(s)]);
const intField = (field, n) => [...key(field, 0), ...varint(n)];
function floatField(field, x) {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, x, true);
  return [...key(field, 5), ...b];
}

function attrInt(name, i) {
  return [...strField(1, name), ...intField(3, i), ...intField(20, 2)];
}
function attrFloat(name, f) {
  return [...strField(1, name), ...floatField(2, f), ...intField(20, 1)];
}
function attrInts(name, ints) {
  return [...strField(1, name), ...ints.flatMap((i) => intField(8, i)), ...intField(20, 7)];
}

function node(op, inputs, outputs, attrs = []) {
  return [
    ...inputs.flatMap((s) => strField(1, s)),
    ...outputs.flatMap((s) => strField(2, s)),
    ...strField(4, op),
    ...attrs.flatMap((a) => bytesField(5, a)),
  ];
}

function floatTensor(name, dims, values) {
  const raw = new Uint8Array(new Float32Array(values).buffer);
  return [...dims.flatMap((d) => intField(1, d)), ...intField(2, 1), ...strField(8, name), ...bytesField(9, [...raw])];
}
function int64Tensor(name, values) {
  const raw = new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer);
  return [...intField(1, values.length), ...intField(2, 7), ...strField(8, name), ...bytesField(9, [...raw])];
}

function valueInfo(name, dims) {
  const shape = dims.flatMap((d) => bytesField(1, intField(1, d)));
  const tensorType = [...intField(1, 1), ...bytesField(2, shape)];
  return [...strField(1, name), ...bytesField(2, bytesField(1, tensorType))];
}

function model(nodes, initializers, shape) {
  const graph = [
    ...nodes.flatMap((n) => bytesField(1, n)),
    ...strField(2, 'g'),
    ...initializers.flatMap((t) => bytesField(5, t)),
    ...bytesField(11, valueInfo('X', shape)),
    ...bytesField(12, valueInfo('Y', shape)),
  ];
  const opset = [...strField(1, ''), ...intField(2, 13)];
  return new Uint8Array([...intField(1, 7), ...bytesField(7, graph), ...bytesField(8, opset)]);
}

/**
 * An ONNX model Y = norm(X) for shape [N, C, H, W]: instance norm is one
 * InstanceNormalization node; layer and group norm reshape to [N, G, -1]
 * around one; batch norm (training statistics) is the textbook graph of
 * ReduceMean, Sub, Mul, ReduceMean, Add, Sqrt, Div.
 */
export function normModel(kind, shape, groups, eps) {
  const [n, c] = shape;
  if (kind === 'instance') {
    return model(
      [node('InstanceNormalization', ['X', 's', 'b'], ['Y'], [attrFloat('epsilon', eps)])],
      [floatTensor('s', [c], new Array(c).fill(1)), floatTensor('b', [c], new Array(c).fill(0))],
      shape,
    );
  }
  if (kind === 'layer' || kind === 'group') {
    const g = kind === 'layer' ? 1 : groups;
    return model(
      [
        node('Reshape', ['X', 'flat'], ['Xg']),
        node('InstanceNormalization', ['Xg', 's', 'b'], ['Yg'], [attrFloat('epsilon', eps)]),
        node('Reshape', ['Yg', 'back'], ['Y']),
      ],
      [
        int64Tensor('flat', [n, g, -1]),
        int64Tensor('back', shape),
        floatTensor('s', [g], new Array(g).fill(1)),
        floatTensor('b', [g], new Array(g).fill(0)),
      ],
      shape,
    );
  }
  // batch
  return model(
    [
      node('ReduceMean', ['X'], ['mu'], [attrInts('axes', [0, 2, 3]), attrInt('keepdims', 1)]),
      node('Sub', ['X', 'mu'], ['d']),
      node('Mul', ['d', 'd'], ['d2']),
      node('ReduceMean', ['d2'], ['var'], [attrInts('axes', [0, 2, 3]), attrInt('keepdims', 1)]),
      node('Add', ['var', 'eps'], ['ve']),
      node('Sqrt', ['ve'], ['sd']),
      node('Div', ['d', 'sd'], ['Y']),
    ],
    [floatTensor('eps', [], [eps])],
    shape,
  );
}
