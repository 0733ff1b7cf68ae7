/**
 * State machines as tables of named transitions: each name says which states it may leave and
 * which it may lead to. Repositories change a state only through a named transition, with
 * `WHERE state = ANY(<its from>)` in the statement itself, so a change the table does not allow
 * cannot be written.
 */
export interface Transition<S extends string> {
  readonly from: readonly S[];
  readonly to: readonly S[];
}

export type TransitionTable<S extends string> = Readonly<Record<string, Transition<S>>>;

/** Whether the named transition may take a row from `from` to `to`. */
export function allows<S extends string, T extends TransitionTable<S>>(
  table: T,
  name: keyof T,
  from: S,
  to: S,
): boolean {
  const transition = table[name];
  return transition.from.includes(from) && transition.to.includes(to);
}

/** Every state change some transition of the table allows, as `FROM→TO`. */
export function allowedChanges<S extends string>(table: TransitionTable<S>): Set<string> {
  const changes = new Set<string>();
  for (const { from, to } of Object.values(table)) {
    for (const f of from) for (const t of to) changes.add(`${f}→${t}`);
  }
  return changes;
}
