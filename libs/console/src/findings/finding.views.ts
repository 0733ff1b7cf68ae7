import { formatPartialDate, nameMatchKey, PROVINCES } from '@vss/domain';
import { type InsuranceRecord, type RegistryPerson, storedPartialDate } from '@vss/domain/reconciliation';
import type { FindingCase, ReviewFilter } from '@vss/reconciliation';
import { type Html, html } from '../views/html';
import { outcomeName } from '../views/i18n';
import { describedBy, fieldError, formGuards, layout, type PageContext } from '../views/page';
import { filterQuery, reviewStateText } from './findings.views';
import { waterfallView } from './waterfall.views';

interface Cell {
  shown: string;
  /** What is compared: the form the matching rules read (diacritics-insensitive names, dates to their precision). */
  normalized: string;
}

const province = (code: string | null) =>
  code ? `${code} ${PROVINCES.find((p) => p.code === code)?.name ?? ''}`.trim() : '';

function recordCells(r: InsuranceRecord | null): Record<string, Cell> {
  if (!r) return {};
  return {
    fullName: { shown: r.fullName, normalized: nameMatchKey(r.fullName) },
    dateOfBirth: { shown: r.dateOfBirth, normalized: formatPartialDate(storedPartialDate(r.dateOfBirth)) },
    gender: { shown: r.gender, normalized: r.gender },
    citizenId: { shown: r.citizenId ?? '', normalized: r.citizenId ?? '' },
    legacyId: { shown: r.legacyId ?? '', normalized: r.legacyId ?? '' },
    province: { shown: province(r.provinceCode), normalized: r.provinceCode },
    dateOfDeath: { shown: r.deceasedOn ?? '', normalized: r.deceasedOn ?? '' },
  };
}

function citizenCells(c: RegistryPerson): Record<string, Cell> {
  return {
    fullName: { shown: c.fullName, normalized: nameMatchKey(c.fullName) },
    dateOfBirth: { shown: c.dateOfBirth, normalized: c.dateOfBirth },
    gender: { shown: c.gender, normalized: c.gender },
    citizenId: { shown: c.citizenId, normalized: c.citizenId },
    legacyId: { shown: c.legacyId ?? '', normalized: c.legacyId ?? '' },
    province: {
      shown: [...new Set([province(c.residenceProvinceCode), province(c.birthProvinceCode)])]
        .filter(Boolean)
        .join(' / '),
      normalized: c.residenceProvinceCode ?? c.birthProvinceCode,
    },
    dateOfDeath: { shown: c.dateOfDeath ?? '', normalized: c.dateOfDeath ?? '' },
  };
}

const FIELDS = [
  'fullName',
  'dateOfBirth',
  'gender',
  'citizenId',
  'legacyId',
  'province',
  'dateOfDeath',
] as const;

/** A date known to the month or year agrees with a day inside it. */
function agrees(field: string, ours: string, theirs: string): boolean {
  if (field === 'dateOfBirth') return theirs.startsWith(ours);
  if (field === 'citizenId' || field === 'legacyId' || field === 'dateOfDeath')
    return ours === theirs || ours === '';
  return ours === theirs;
}

/** Our record and the registry's side by side: each differing field marked, with the forms compared. */
function sideBySide(ctx: PageContext, c: FindingCase): Html {
  const { t } = ctx;
  const ours = recordCells(c.record);
  const theirs = c.citizens.map(citizenCells);
  const cell = (v: Cell | undefined) =>
    v
      ? html`${v.shown}${v.normalized && v.normalized !== v.shown ? html`<br /><small class="muted">${t('normalized')}: ${v.normalized}</small>` : ''}`
      : '';
  return html`<table class="side-by-side" id="side-by-side">
    <caption class="visually-hidden">
      ${t('ourRecord')} / ${t('registryRecord')}
    </caption>
    <thead>
      <tr>
        <th scope="col">${t('field')}</th>
        <th scope="col">${t('ourRecord')}</th>
        ${c.citizens.map(
          (p, i) =>
            html`<th scope="col">
              ${c.finding.outcome === 'MISSING_ID_CANDIDATE' ? `${t('candidate')} ${i + 1}` : t('registryRecord')}
              <br /><small>${p.citizenId}</small>
            </th>`,
        )}
      </tr>
    </thead>
    <tbody>
      ${FIELDS.map((field) => {
        const o = ours[field];
        const differs = theirs.map(
          (th) => !!o && !!th[field] && !agrees(field, o.normalized, th[field].normalized),
        );
        return html`<tr data-field="${field}">
          <th scope="row">${t(field)}</th>
          <td>${cell(o)}</td>
          ${theirs.map(
            (th, i) =>
              html`<td${differs[i] ? html` class="differs"` : ''}>
                ${differs[i] ? html`<span class="differs-mark" title="${t('differs')}">≠ <span class="visually-hidden">${t('differs')}</span></span> ` : ''}${cell(th[field])}
              </td>`,
          )}
        </tr>`;
      })}
    </tbody>
  </table>`;
}

export function findingPage(
  ctx: PageContext,
  c: FindingCase,
  options: {
    filter: ReviewFilter;
    previous?: string;
    next?: string;
    canDecide: boolean;
    note?: string;
    error?: { field?: string; message: string };
    notice?: string;
  },
): Html {
  const { t } = ctx;
  const f = c.finding;
  const q = filterQuery(options.filter);
  const noteError = options.error?.field === 'note' ? options.error.message : undefined;
  const open = f.review.decision === null && f.applied_at === null;
  const decide =
    open && options.canDecide && c.claim === 'MINE'
      ? html`<form
          method="post"
          action="/console/findings/${f.finding_id}/decide?${q}"
          id="decide"
          class="card"
        >
          ${formGuards(ctx)}
          ${options.error && !noteError ? html`<div class="notice error" role="alert"><p>${options.error.message}</p></div>` : ''}
          <label for="note">${t('note')} <span class="muted">(${t('noteRequiredToReject')})</span></label>
          <textarea id="note" name="note" rows="2" maxlength="1000" ${describedBy('note', noteError)}>
${options.note ?? ''}</textarea>
          ${fieldError('note', noteError)}
          <div class="buttons">
            <button type="submit" name="decision" value="accept" id="accept" accesskey="a">
              ${t('accept')}
            </button>
            <button type="submit" name="decision" value="reject" id="reject" class="danger">
              ${t('reject')}
            </button>
          </div>
          <p class="muted">${t('keyboardHelp')}</p>
        </form>`
      : html`${options.error ? html`<div class="notice error" role="alert"><p>${options.error.message}</p></div>` : ''}
          <p class="notice" role="status" id="review-state">
            ${reviewStateText(ctx, f, ctx.operator?.login)}
          </p>`;
  return layout(
    ctx,
    `${t('finding')} ${f.finding_id}: ${outcomeName(f.outcome, ctx.lang)}`,
    html`${options.notice ? html`<div class="notice" role="status"><p>${options.notice}</p></div>` : ''}
      <nav class="pager" aria-label="${t('findings')}">
        <a href="/console/findings?${q}">${t('back')}</a>
        ${options.previous ? html`<a href="/console/findings/${options.previous}?${q}" id="previous" rel="prev">${t('previousFinding')}</a>` : ''}
        ${options.next ? html`<a href="/console/findings/${options.next}?${q}" id="next" rel="next">${t('nextFinding')}</a>` : ''}
      </nav>
      <p class="detail">${f.detail}</p>
      <p class="muted">
        ${t('socialInsuranceCode')}: ${f.social_insurance_code} · ${t('run')}:
        <a href="/console/runs/${f.run_id}">${f.run_id.slice(0, 8)}</a> · ${t('model')}: ${c.modelVersion}
      </p>
      ${sideBySide(ctx, c)} ${decide}
      ${c.citizens
        .filter((p) => c.waterfalls.has(p.citizenId))
        .map(
          (p, i) =>
            html`<h2>
                ${t('waterfall')}${c.citizens.length > 1 ? ` · ${t('candidate')} ${i + 1}` : ''}
                (${p.citizenId})
              </h2>
              ${waterfallView(ctx, p.citizenId, c.waterfalls.get(p.citizenId)!)}`,
        )}`,
  );
}
