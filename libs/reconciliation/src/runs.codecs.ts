import type { RunScope } from '@vss/domain/reconciliation-runs';

/** A run's scope as its two columns (scope_kind, scope_value). */
export function scopeColumns(scope: RunScope): [RunScope['kind'], string] {
  switch (scope.kind) {
    case 'ALL':
      return ['ALL', ''];
    case 'PROVINCE':
      return ['PROVINCE', scope.provinceCode];
    case 'CHANGED_SINCE':
      return ['CHANGED_SINCE', scope.since];
  }
}

/** The scope stored in (scope_kind, scope_value). */
export function scopeOf(kind: string, value: string): RunScope {
  if (kind === 'PROVINCE') return { kind, provinceCode: value };
  if (kind === 'CHANGED_SINCE') return { kind, since: value };
  if (kind === 'ALL') return { kind: 'ALL' };
  throw new RangeError(`stored scope kind ${JSON.stringify(kind)} is not ALL, PROVINCE or CHANGED_SINCE`);
}
