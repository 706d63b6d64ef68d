import { GraphStructureError } from '../errors.js';
import type { GraphProto, ModelProto, NodeProto } from '../gen/onnx_pb.js';

/** What kind of structural problem a graph has. */
export type GraphProblemKind =
  | 'missing-input' // a node reads a value nothing defines
  | 'used-before-produced' // a node reads a value produced only by a later node (not topologically sorted)
  | 'duplicate-producer' // a value is defined twice (two node outputs, or a node output and an input/initializer)
  | 'duplicate-node-name'
  | 'missing-output'; // a graph output nothing defines

/** One structural problem, with the node and value it concerns. */
export interface GraphProblem {
  readonly kind: GraphProblemKind;
  /** The node concerned (its name, or `#index` when unnamed); undefined for graph-level problems. */
  readonly node: string | undefined;
  readonly value: string;
  readonly message: string;
}

/** Thrown by {@link validateGraph}; `problems` lists everything found, the message the first few. */
export class GraphValidationError extends GraphStructureError {
  constructor(
    readonly graphName: string,
    readonly problems: readonly GraphProblem[],
  ) {
    const shown = problems.slice(0, 10).map((p) => `  - ${p.message}`);
    if (problems.length > shown.length) shown.push(`  - ... and ${problems.length - shown.length} more`);
    super(`graph '${graphName}' is not valid (${problems.length} problem(s)):\n${shown.join('\n')}`);
  }
}

/**
 * Checks the structure of a graph (and its subgraphs): every node input is the empty optional
 * name or is defined — by a graph input, an initializer, an earlier node, or (in subgraphs) the
 * enclosing scope; every value is defined once; node names are unique; every graph output is
 * defined. Types and operator semantics are not checked; onnxruntime does that on load.
 * @param outerScope names visible from an enclosing graph (for subgraphs).
 */
export function findGraphProblems(graph: GraphProto, outerScope: ReadonlySet<string> = new Set()): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const laterProducer = new Map<string, string>();
  graph.node.forEach((node, i) => {
    for (const out of node.output) if (out !== '' && !laterProducer.has(out)) laterProducer.set(out, label(node, i));
  });

  const defined = new Set<string>(graph.input.map((v) => v.name));
  for (const t of graph.initializer) {
    if (defined.has(t.name) && !graph.input.some((v) => v.name === t.name)) {
      problems.push(duplicate(undefined, t.name, `initializer '${t.name}' is defined twice`));
    }
    defined.add(t.name);
  }
  for (const s of graph.sparseInitializer) if (s.values !== undefined) defined.add(s.values.name);
  const visible = (name: string) => defined.has(name) || outerScope.has(name);

  const names = new Set<string>();
  graph.node.forEach((node, i) => {
    const who = label(node, i);
    if (node.name !== '') {
      if (names.has(node.name)) {
        problems.push({
          kind: 'duplicate-node-name',
          node: who,
          value: node.name,
          message: `node name '${node.name}' is used by more than one node`,
        });
      }
      names.add(node.name);
    }
    for (const input of node.input) {
      if (input === '' || visible(input)) continue;
      const producer = laterProducer.get(input);
      problems.push(
        producer === undefined
          ? {
              kind: 'missing-input',
              node: who,
              value: input,
              message: `node '${who}' (${node.opType}) reads '${input}', which no node, graph input or initializer produces`,
            }
          : {
              kind: 'used-before-produced',
              node: who,
              value: input,
              message: `node '${who}' (${node.opType}) reads '${input}' before node '${producer}' produces it; sort the graph topologically`,
            },
      );
    }
    for (const sub of subgraphs(node)) {
      const scope = new Set([...outerScope, ...defined]);
      for (const p of findGraphProblems(sub.graph, scope)) {
        problems.push({ ...p, message: `in subgraph '${sub.attribute}' of node '${who}': ${p.message}` });
      }
    }
    for (const out of node.output) {
      if (out === '') continue;
      if (defined.has(out)) {
        problems.push(duplicate(who, out, `node '${who}' (${node.opType}) outputs '${out}', which is already defined`));
      }
      defined.add(out);
    }
  });

  for (const output of graph.output) {
    if (!visible(output.name)) {
      problems.push({
        kind: 'missing-output',
        node: undefined,
        value: output.name,
        message: `graph output '${output.name}' is not produced by any node, input or initializer`,
      });
    }
  }
  return problems;
}

/**
 * Throws when {@link findGraphProblems} finds anything.
 * @throws GraphValidationError whose message names each node and value at fault.
 */
export function validateGraph(graph: GraphProto): void {
  const problems = findGraphProblems(graph);
  if (problems.length > 0) throw new GraphValidationError(graph.name, problems);
}

/** {@link validateGraph} for a model's main graph; a model without a graph is invalid. */
export function validateModel(model: ModelProto): void {
  if (model.graph === undefined) throw new GraphStructureError('the model has no graph');
  validateGraph(model.graph);
}

function label(node: NodeProto, index: number): string {
  return node.name === '' ? `#${index}` : node.name;
}

function duplicate(node: string | undefined, value: string, message: string): GraphProblem {
  return { kind: 'duplicate-producer', node, value, message };
}

function subgraphs(node: NodeProto): { attribute: string; graph: GraphProto }[] {
  const out: { attribute: string; graph: GraphProto }[] = [];
  for (const a of node.attribute) {
    if (a.g !== undefined) out.push({ attribute: a.name, graph: a.g });
    for (const g of a.graphs) out.push({ attribute: a.name, graph: g });
  }
  return out;
}
