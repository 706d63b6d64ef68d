/**
 * Names nodes the way torch.onnx.export does, so graphs built here look like real diffusers /
 * optimum exports: a node is `/<scope>/<scope>/<OpType>`, the second node of one op type in
 * one scope instance gets `_1`, the third `_2`, and so on. A module scope entered again under the
 * same parent (torch: the same module called twice, e.g. a shared `nonlinearity`) gets the same
 * suffix rule: `nonlinearity`, `nonlinearity_1`, ...
 */
export class ScopeNamer {
  private readonly stack: ScopeFrame[] = [newFrame('', '')];

  /** Enters a child scope of the current one and returns its (possibly suffixed) name. */
  enter(moduleName: string): string {
    const parent = this.top();
    const seen = parent.childCounts.get(moduleName) ?? 0;
    parent.childCounts.set(moduleName, seen + 1);
    const scopeName = seen === 0 ? moduleName : `${moduleName}_${seen}`;
    this.stack.push(newFrame(moduleName, scopeName));
    return scopeName;
  }

  leave(): void {
    if (this.stack.length === 1) throw new Error('ScopeNamer.leave() called at the root scope');
    this.stack.pop();
  }

  /** The name the next node of `opType` in the current scope gets. */
  nextNodeName(opType: string): string {
    const frame = this.top();
    const seen = frame.opCounts.get(opType) ?? 0;
    frame.opCounts.set(opType, seen + 1);
    const leaf = seen === 0 ? opType : `${opType}_${seen}`;
    return `${this.scopePath()}/${leaf}`;
  }

  /** `/a/b` for the current scope (empty string at the root), with call suffixes. */
  scopePath(): string {
    return this.stack
      .slice(1)
      .map((f) => `/${f.scopeName}`)
      .join('');
  }

  /** Module names of the current scope from the root, without call suffixes (`['down_blocks.0', 'resnets.0']`). */
  modulePath(): readonly string[] {
    return this.stack.slice(1).map((f) => f.moduleName);
  }

  private top(): ScopeFrame {
    return this.stack[this.stack.length - 1]!;
  }
}

interface ScopeFrame {
  readonly moduleName: string;
  readonly scopeName: string;
  readonly opCounts: Map<string, number>;
  readonly childCounts: Map<string, number>;
}

function newFrame(moduleName: string, scopeName: string): ScopeFrame {
  return { moduleName, scopeName, opCounts: new Map(), childCounts: new Map() };
}
