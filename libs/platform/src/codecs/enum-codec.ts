/**
 * An enum crossing a boundary, from one exhaustive table: `table` must name every domain value
 * (write it `{ … } as const satisfies Record<DomainValue, WireValue>`), so a value added on one
 * side and not the other fails to compile. `toWire` cannot miss; `fromWire` answers undefined for
 * a wire value the table does not name (UNSPECIFIED, or a number the proto does not define).
 */
export interface EnumCodec<D extends string, W extends string> {
  toWire(value: D): W;
  fromWire(value: W | string | undefined): D | undefined;
}

export function enumCodec<D extends string, W extends string>(table: Record<D, W>): EnumCodec<D, W> {
  const inverse = new Map<string, D>(Object.entries(table).map(([d, w]) => [w as string, d as D]));
  return {
    toWire: (value) => table[value],
    fromWire: (value) => (value === undefined ? undefined : inverse.get(value)),
  };
}
