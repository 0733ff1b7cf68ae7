import type { Run } from '@vss/contracts';
import { PROVINCES } from '@vss/domain';
import { RECONCILIATION_OUTCOMES } from '@vss/domain/reconciliation';
import type { ReviewedFinding, ReviewFilter } from '@vss/reconciliation';
import { type Html, html } from '../views/html';
import { outcomeName } from '../views/i18n';
import { describedBy, fieldError, formGuards, layout, type PageContext } from '../views/page';
import { table } from '../views/table';

/** The filter as a query string, carried from the list to a finding and back. */
export function filterQuery(filter: ReviewFilter): string {
  const params = new URLSearchParams({ run: filter.runId, state: filter.state });
  if (filter.outcome) params.set('outcome', filter.outcome);
  if (filter.provinceCode) params.set('province', filter.provinceCode);
  return params.toString();
}

/** What a finding's review says now, in the officer's words. */
export function reviewStateText(ctx: PageContext, f: ReviewedFinding, login?: string): string {
  const { t } = ctx;
  if (f.review.decision === 'ACCEPTED') return `${t('accepted')} · ${f.review.decidedBy ?? ''}`;
  if (f.review.decision === 'REJECTED') return `${t('rejected')} · ${f.review.decidedBy ?? ''}`;
  if (f.applied_at) return t('applied');
  if (f.review.claimedBy && !(login && f.review.claimedBy.endsWith(`[${login}]`))) {
    return `${t('openWith')} ${f.review.claimedBy}`;
  }
  return t('stateOpen');
}

export interface QueuePage {
  runs: readonly Run[];
  filter: ReviewFilter | undefined;
  rows: readonly ReviewedFinding[];
  progress: { findings: number; decided: number } | undefined;
  nextAfter: string;
  canDecide: boolean;
  notice?: string;
  error?: { field?: string; message: string };
  note?: string;
}

export function queuePage(ctx: PageContext, page: QueuePage): Html {
  const { t } = ctx;
  const f = page.filter;
  const option = (value: string, label: string, selected: boolean) =>
    html`<option value="${value}" ${selected ? html` selected` : ''}>${label}</option>`;
  const noteError = page.error?.field === 'note' ? page.error.message : undefined;
  const filterForm = html`<form method="get" action="/console/findings" class="filters">
    <div>
      <label for="run">${t('run')}</label>
      <select id="run" name="run">
        ${page.runs.map((r) =>
          option(
            r.runId,
            `${r.runId.slice(0, 8)} · ${r.createdAt.slice(0, 10)} · ${r.startedBy}`,
            r.runId === f?.runId,
          ),
        )}
      </select>
    </div>
    <div>
      <label for="outcome">${t('outcome')}</label>
      <select id="outcome" name="outcome">
        ${option('', t('all'), !f?.outcome)}
        ${RECONCILIATION_OUTCOMES.filter((o) => o !== 'MATCHED').map((o) =>
          option(o, outcomeName(o, ctx.lang), f?.outcome === o),
        )}
      </select>
    </div>
    <div>
      <label for="province">${t('province')}</label>
      <select id="province" name="province">
        ${option('', t('all'), !f?.provinceCode)}
        ${PROVINCES.map((p) => option(p.code, `${p.code} ${p.name}`, f?.provinceCode === p.code))}
      </select>
    </div>
    <div>
      <label for="state">${t('state')}</label>
      <select id="state" name="state">
        ${option('open', t('stateOpen'), f?.state === 'open')}
        ${option('decided', t('stateDecided'), f?.state === 'decided')}
        ${option('all', t('all'), f?.state === 'all')}
      </select>
    </div>
    <button type="submit">${t('filter')}</button>
  </form>`;
  const list = table(
    [t('finding'), t('outcome'), t('province'), t('socialInsuranceCode'), t('detail'), t('state')],
    page.rows.map(
      (r) =>
        html`<tr data-finding="${r.finding_id}">
          <td><a href="/console/findings/${r.finding_id}?${filterQuery(f!)}">${r.finding_id}</a></td>
          <td>${outcomeName(r.outcome, ctx.lang)}</td>
          <td>${r.province_code}</td>
          <td>${r.social_insurance_code}</td>
          <td>${r.detail}</td>
          <td>${reviewStateText(ctx, r, ctx.operator?.login)}</td>
        </tr>`,
    ),
    { id: 'findings', empty: t('noFindings') },
  );
  const bulk =
    f && page.canDecide && f.state === 'open' && page.rows.length > 0
      ? html`<form method="post" action="/console/findings/bulk?${filterQuery(f)}" class="card" id="bulk">
          ${formGuards(ctx)}
          <h2>${t('bulk')}</h2>
          ${page.error && !noteError ? html`<div class="notice error" role="alert"><p>${page.error.message}</p></div>` : ''}
          <label for="bulk-note"
            >${t('note')} <span class="muted">(${t('noteRequiredToReject')})</span></label
          >
          <textarea
            id="bulk-note"
            name="note"
            rows="2"
            maxlength="1000"
            ${describedBy('bulk-note', noteError)}
          >
${page.note ?? ''}</textarea>
          ${fieldError('bulk-note', noteError)}
          <div class="buttons">
            <button type="submit" name="decision" value="accept">${t('acceptAll')}</button>
            <button type="submit" name="decision" value="reject" class="danger">${t('rejectAll')}</button>
          </div>
        </form>`
      : '';
  return layout(
    ctx,
    t('review'),
    html`${page.notice ? html`<div class="notice" role="status"><p>${page.notice}</p></div>` : ''}
    ${filterForm}
    ${
      page.progress
        ? html`<p id="review-progress">
            <strong>${page.progress.decided}</strong> ${t('of')}
            <strong>${page.progress.findings}</strong> ${t('reviewed')}
          </p>`
        : ''
    }
    ${f ? html`<p><a href="/console/findings/export.csv?${filterQuery(f)}" download>${t('exportCsv')}</a></p>` : ''}
    ${list}
    ${
      page.nextAfter && f
        ? html`<p>
            <a href="/console/findings?${filterQuery(f)}&amp;after=${page.nextAfter}">${t('next')}</a>
          </p>`
        : ''
    }
    ${bulk}`,
  );
}
