/**
 * TypeORM entities of the `vss` schema, used on the cold paths (procedures, runs, findings);
 * the hot paths use hand-written SQL in their repositories. Features append theirs here.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const VSS_ENTITIES: Function[] = [];
