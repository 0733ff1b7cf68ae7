/** A UUID as PostgreSQL writes one (any version), in either case: the IDs of procedures, runs and audit entries. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
