/**
 * A notebook session's variables: one object that every cell runs `with` (see ../notebook/cellTranspile.ts), holding
 * exactly the names the cells declared, so a name no cell declared (`Math`, `tensor` before its import) still
 * resolves as usual. A `const` is an accessor whose setter throws JavaScript's own error; declaring the name again
 * (re-running its cell) makes it a plain variable until its declaration has run.
 */
export class SessionScope {
  /** No prototype: `with` must not find `toString` or `constructor` here. */
  readonly scope: Record<string, unknown> = Object.create(null) as Record<string, unknown>;

  /** The names a cell is about to declare: each exists (undefined if new) and is assignable. */
  declare(names: readonly string[]): void {
    for (const name of names) {
      const existing = Object.getOwnPropertyDescriptor(this.scope, name);
      const value = existing ? this.scope[name] : undefined;
      if (existing && "value" in existing && existing.writable) continue;
      Object.defineProperty(this.scope, name, { value, writable: true, enumerable: true, configurable: true });
    }
  }

  /** A `const` declaration has run: its names keep their values. */
  lock(names: readonly string[]): void {
    for (const name of names) {
      const value = this.scope[name];
      Object.defineProperty(this.scope, name, {
        get: () => value,
        set: () => {
          throw new TypeError("Assignment to constant variable.");
        },
        enumerable: true,
        configurable: true,
      });
    }
  }

  names(): string[] {
    return Object.keys(this.scope);
  }

  /** The first variable holding each value, to name a tensor an earlier cell made. */
  namesByValue(): Map<unknown, string> {
    const byValue = new Map<unknown, string>();
    for (const name of this.names()) {
      const value = this.scope[name];
      if (value !== null && typeof value === "object" && !byValue.has(value)) byValue.set(value, name);
    }
    return byValue;
  }
}
