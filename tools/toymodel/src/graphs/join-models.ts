import { create } from '@bufbuild/protobuf';
import { copyGraph, copyNode, GraphIndex, ValueInfoProtoSchema, type ModelProto, type ValueInfoProto } from '@perfusion/onnx-graph';
import { GraphJoinError } from '../errors.js';

/** How {@link joinModels} connects the second model to the first. */
export interface JoinOptions {
  /** Input of `second` → value of `first` that feeds it. */
  readonly connect: Readonly<Record<string, string>>;
  /** Prefix of the second model's inner value and node names, so they cannot meet the first's. */
  readonly prefix: string;
  /** New names for inputs or outputs of `second` that stay graph inputs/outputs (e.g. a clash). */
  readonly rename?: Readonly<Record<string, string>>;
}

/**
 * One model running `first` then `second`, with inputs of `second` fed by values of `first`: the
 * text encoder feeding the UNet, the VAE encoder feeding the decoder. The result's inputs are
 * `first`'s plus `second`'s unconnected ones, its outputs both models' outputs. Initializers keep
 * their names (they are the weights' identities), so both models must name theirs apart.
 * @throws GraphJoinError for a connection to a missing value, or a name both models define.
 */
export function joinModels(first: ModelProto, second: ModelProto, options: JoinOptions): ModelProto {
  const a = first.graph!;
  const b = second.graph!;
  const aIndex = new GraphIndex(a);
  const rename = options.rename ?? {};
  const initializerNames = new Set(b.initializer.map((t) => t.name));
  for (const [input, source] of Object.entries(options.connect)) {
    if (!b.input.some((i) => i.name === input)) throw new GraphJoinError(`joinModels: '${input}' is not an input of graph '${b.name}'.`);
    if (!aIndex.producer(source) && !aIndex.graphInput(source) && !aIndex.initializer(source)) {
      throw new GraphJoinError(`joinModels: '${source}' is not a value of graph '${a.name}'.`);
    }
  }
  const boundary = new Set([...b.input.map((i) => i.name), ...b.output.map((o) => o.name)]);
  const nameOf = (value: string): string => {
    if (value === '') return value;
    if (value in options.connect) return options.connect[value]!;
    if (value in rename) return rename[value]!;
    if (initializerNames.has(value) || boundary.has(value)) return value;
    return `${options.prefix}${value}`;
  };
  const aNames = new Set<string>([...a.input.map((i) => i.name), ...a.initializer.map((t) => t.name), ...a.node.flatMap((n) => n.output)]);
  const unconnectedInputs = b.input.filter((i) => !(i.name in options.connect)).map((i) => nameOf(i.name));
  for (const name of [...initializerNames, ...unconnectedInputs, ...b.output.map((o) => nameOf(o.name))]) {
    if (aNames.has(name)) {
      throw new GraphJoinError(`joinModels: '${name}' is defined by both '${a.name}' and '${b.name}'; rename it with options.rename.`);
    }
  }
  const renamedInfo = (info: ValueInfoProto): ValueInfoProto => Object.assign(create(ValueInfoProtoSchema), info, { name: nameOf(info.name) });
  const nodes = b.node.map((node) =>
    copyNode(node, { name: `${options.prefix}${node.name}`, input: node.input.map(nameOf), output: node.output.map(nameOf) }),
  );
  const graph = copyGraph(a, {
    name: `${a.name}+${b.name}`,
    input: [...a.input, ...b.input.filter((i) => !(i.name in options.connect)).map(renamedInfo)],
    output: [...a.output, ...b.output.map(renamedInfo)],
    initializer: [...a.initializer, ...b.initializer],
    node: [...a.node, ...nodes],
    valueInfo: [...a.valueInfo, ...b.valueInfo.map(renamedInfo)],
  });
  return { ...first, graph };
}
