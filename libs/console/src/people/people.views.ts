import { type AccessRecord, CoverageStatus, type Procedure } from '@vss/contracts';
import type { AccessReport, PersonView } from '@vss/coverage';
import type { ReviewedFinding } from '@vss/reconciliation';
import { type Html, html } from '../views/html';
import { accessActionName, outcomeName, procedureStateName } from '../views/i18n';
import { formGuards, layout, type PageContext, textField } from '../views/page';
import { table } from '../views/table';

/** The last signed checkpoint of the audit chain, as a report carries it. */
export interface CheckpointView {
  seq: string;
  hash: string;
  signedAt: string;
  keyId: string;
  signature: string;
}

const money = (ctx: PageContext, vnd: string) =>
  `${Number(vnd).toLocaleString(ctx.lang === 'vi' ? 'vi-VN' : 'en-GB')} ₫`;
const when = (iso: string) => iso.slice(0, 19).replace('T', ' ');

/**
 * A button that opens a person's page: the citizen ID travels in a form (POST), never in an
 * address, so that it stays out of browser histories and proxies' logs.
 */
export function personButton(ctx: PageContext, citizenId: string): Html {
  if (!citizenId) return html``;
  return html`<form method="post" action="/console/people" class="inline-form">
    ${formGuards(ctx)}<input type="hidden" name="citizen_id" value="${citizenId}" />
    <button type="submit" class="link">${ctx.t('openPerson')}</button>
  </form>`;
}

export function personSearchPage(ctx: PageContext, citizenId = '', error?: string): Html {
  const { t } = ctx;
  return layout(
    ctx,
    t('people'),
    html`<p>${t('peopleIntro')}</p>
      <form method="post" action="/console/people" class="narrow" id="person-search">
        ${formGuards(ctx)}
        ${textField(
          { id: 'citizen_id', label: t('citizenId'), value: citizenId },
          { numeric: true, maxlength: 12, autocomplete: 'off', error },
        )}
        <button type="submit">${t('open')}</button>
      </form>`,
  );
}

function accessRows(ctx: PageContext, accesses: readonly AccessRecord[]): Html[] {
  return accesses.map(
    (a) =>
      html`<tr data-action="${a.action}">
        <td><time datetime="${a.accessedAt}">${when(a.accessedAt)}</time></td>
        <td>${accessActionName(a.action, ctx.lang)}</td>
        <td>${a.caller}<br /><span class="muted">${a.callerRole}</span></td>
        <td>${a.facilityCode || a.officeCode}</td>
        <td>${a.purpose}</td>
        <td>${a.outcome}</td>
        <td class="receipt">
          <code>${a.receipt?.seq ?? ''}</code> <code class="hash">${a.receipt?.hash ?? ''}</code>
        </td>
      </tr>`,
  );
}

function accessColumns(ctx: PageContext) {
  const { t } = ctx;
  return [t('when'), t('access'), t('who'), t('facilityOrOffice'), t('purpose'), t('result'), t('receipt')];
}

export interface PersonPageData {
  view: PersonView;
  procedures: readonly Procedure[];
  findings: readonly ReviewedFinding[];
  /** The page token of this history page ('' for the first). */
  pageToken: string;
}

export function personPage(ctx: PageContext, data: PersonPageData): Html {
  const { t } = ctx;
  const { view } = data;
  const c = view.coverage;
  const covered = c.status === CoverageStatus.COVERAGE_STATUS_COVERED;
  const records = view.records;
  return layout(
    ctx,
    `${t('person')} ${view.citizenId}`,
    html`<p class="muted">${t('personReadRecorded')} <code>${view.receipt.seq}</code></p>
      <p><a href="/console/people/report" id="report-link">${t('accessReport')}</a></p>
      <h2>${t('coverageToday')}</h2>
      <dl class="facts" id="coverage">
        <div>
          <dt>${t('coverage')}</dt>
          <dd id="coverage-status" data-status="${covered ? 'COVERED' : 'NOT_COVERED'}">
            ${covered ? t('covered') : t('notCovered')}
          </dd>
        </div>
        ${
          c.reasonMessage
            ? html`<div>
                <dt>${t('reason')}</dt>
                <dd>${c.reasonMessage}</dd>
              </div>`
            : ''
        }
        ${
          c.card
            ? html`<div>
                  <dt>${t('cardValid')}</dt>
                  <dd>${c.card.validFrom} – ${c.card.validTo || '…'}</dd>
                </div>
                <div>
                  <dt>${t('benefitLevel')}</dt>
                  <dd>${c.card.benefitLevelPercent} %</dd>
                </div>
                <div>
                  <dt>${t('primaryCare')}</dt>
                  <dd>${c.card.primaryCareFacilityCode} ${c.card.primaryCareFacilityName}</dd>
                </div>`
            : ''
        }
      </dl>
      <h2>${t('insuranceRecords')}</h2>
      ${table(
        [
          t('socialInsuranceCode'),
          t('fullName'),
          t('dateOfBirth'),
          t('province'),
          t('card'),
          t('dateOfDeath'),
        ],
        records.participants.map(
          (p) =>
            html`<tr>
              <td>${p.socialInsuranceCode}</td>
              <td>${p.fullName}</td>
              <td>${p.dateOfBirth}</td>
              <td>${p.provinceCode}</td>
              <td>
                ${
                  p.card
                    ? html`${p.card.objectGroup} · ${p.card.validFrom} –
                      ${p.card.validTo ?? '…'}${
                        p.card.endedOn ? html` · ${t('endedOn')} ${p.card.endedOn}` : ''
                      }${p.card.suspended ? html` · ${t('suspended')}` : ''}`
                    : '–'
                }
              </td>
              <td>${p.deceasedOn ?? ''}</td>
            </tr>`,
        ),
        { id: 'participants', empty: t('noRecords') },
      )}
      <h2>${t('benefits')}</h2>
      ${table(
        [
          t('socialInsuranceCode'),
          t('benefitKind'),
          { label: t('monthlyAmount'), numeric: true },
          t('startedOn'),
          t('stoppedFrom'),
        ],
        records.benefits.map(
          (b) =>
            html`<tr>
              <td>${b.socialInsuranceCode}</td>
              <td>${b.kind}</td>
              <td class="num">${money(ctx, b.monthlyAmountVnd)}</td>
              <td>${b.startedOn}</td>
              <td>
                ${b.stoppedFrom ?? ''} ${b.stopReason ? html`<span class="muted">${b.stopReason}</span>` : ''}
              </td>
            </tr>`,
        ),
        { id: 'benefits', empty: t('none') },
      )}
      <h2>${t('payments')}</h2>
      ${table(
        [t('period'), t('benefitKind'), { label: t('amount'), numeric: true }, t('paidOn'), t('recovery')],
        records.payments.map(
          (p) =>
            html`<tr>
              <td>${p.period}</td>
              <td>${p.kind}</td>
              <td class="num">${money(ctx, p.amountVnd)}</td>
              <td>${p.paidOn}</td>
              <td>${p.recoveryFlagged ? html`${t('flaggedForRecovery')}: ${p.recoveryReason ?? ''}` : ''}</td>
            </tr>`,
        ),
        { id: 'payments', empty: t('none') },
      )}
      ${
        records.arrears.length > 0
          ? html`<h2>${t('arrears')}</h2>
              ${table(
                [
                  t('period'),
                  t('benefitKind'),
                  { label: t('amount'), numeric: true },
                  t('basis'),
                  t('procedure'),
                ],
                records.arrears.map(
                  (a) =>
                    html`<tr>
                      <td>${a.period}</td>
                      <td>${a.kind}</td>
                      <td class="num">${money(ctx, a.amountVnd)}</td>
                      <td>${a.basis}</td>
                      <td><a href="/console/procedures/${a.procedureId}">${a.procedureId.slice(0, 8)}</a></td>
                    </tr>`,
                ),
                { id: 'arrears' },
              )}`
          : ''
      }
      ${
        records.payouts.length > 0
          ? html`<h2>${t('funeralPayout')}</h2>
              ${table(
                [
                  t('procedure'),
                  t('dateOfDeath'),
                  { label: t('amount'), numeric: true },
                  t('state'),
                  t('createdAt'),
                ],
                records.payouts.map(
                  (p) =>
                    html`<tr>
                      <td><a href="/console/procedures/${p.procedureId}">${p.procedureId.slice(0, 8)}</a></td>
                      <td>${p.dateOfDeath}</td>
                      <td class="num">${money(ctx, p.totalVnd)}</td>
                      <td>${p.status}</td>
                      <td>${when(p.createdAt)}</td>
                    </tr>`,
                ),
                { id: 'payouts' },
              )}`
          : ''
      }
      <h2>${t('procedures')}</h2>
      ${table(
        [t('procedure'), t('procedureKind'), t('office'), t('state'), t('receivedAt')],
        data.procedures.map(
          (p) =>
            html`<tr>
              <td><a href="/console/procedures/${p.procedureId}">${p.procedureId.slice(0, 8)}</a></td>
              <td>${p.kind.replace('PROCEDURE_KIND_', '')}</td>
              <td>${p.header?.officeCode ?? ''}</td>
              <td>${procedureStateName(p.state.replace('PROCEDURE_STATE_', ''), ctx.lang)}</td>
              <td>${when(p.createdAt)}</td>
            </tr>`,
        ),
        { id: 'person-procedures', empty: t('none') },
      )}
      <h2>${t('findings')}</h2>
      ${table(
        [t('finding'), t('outcome'), t('socialInsuranceCode'), t('detail')],
        data.findings.map(
          (f) =>
            html`<tr>
              <td><a href="/console/findings/${f.finding_id}">${f.finding_id}</a></td>
              <td>${outcomeName(f.outcome, ctx.lang)}</td>
              <td>${f.social_insurance_code}</td>
              <td>${f.detail}</td>
            </tr>`,
        ),
        { id: 'person-findings', empty: t('none') },
      )}
      <h2 id="history-heading">${t('accessHistory')}</h2>
      <p class="muted">${t('accessHistoryNote')}</p>
      ${table(accessColumns(ctx), accessRows(ctx, view.accesses), {
        id: 'access-history',
        empty: t('none'),
      })}
      <p class="pager">
        ${data.pageToken ? html`<a href="/console/people/view" id="history-first">${t('newest')}</a>` : ''}
        ${
          view.nextPageToken
            ? html`<a href="/console/people/view?page=${view.nextPageToken}" id="history-next"
                >${t('older')}</a
              >`
            : ''
        }
      </p>`,
  );
}

/** The report a citizen is given: every access, newest first, with receipts and the chain's last checkpoint. */
export function accessReportPage(
  ctx: PageContext,
  report: AccessReport,
  checkpoint: CheckpointView | undefined,
  printedBy: string,
  printedAt: string,
): Html {
  const { t } = ctx;
  return layout(
    ctx,
    t('accessReportTitle'),
    html`<div class="report">
      <dl class="facts">
        <div>
          <dt>${t('citizenId')}</dt>
          <dd id="report-citizen">${report.citizenId}</dd>
        </div>
        <div>
          <dt>${t('printedAt')}</dt>
          <dd>${when(printedAt)}</dd>
        </div>
        <div>
          <dt>${t('printedBy')}</dt>
          <dd>${printedBy}</dd>
        </div>
        <div>
          <dt>${t('reportReceipt')}</dt>
          <dd><code>${report.receipt.seq}</code></dd>
        </div>
      </dl>
      <p>${t('accessReportIntro')}</p>
      <p class="no-print"><button type="button" data-print id="print">${t('print')}</button></p>
      ${table(accessColumns(ctx), accessRows(ctx, report.accesses), { id: 'report-accesses', empty: t('none') })}
      ${report.truncated ? html`<p class="muted">${t('reportTruncated')}</p>` : ''}
      <h2>${t('lastCheckpoint')}</h2>
      ${
        checkpoint
          ? html`<dl class="plain" id="report-checkpoint">
                <dt>${t('position')}</dt>
                <dd>${checkpoint.seq}</dd>
                <dt>${t('chainHash')}</dt>
                <dd><code class="hash">${checkpoint.hash}</code></dd>
                <dt>${t('signedAt')}</dt>
                <dd>${checkpoint.signedAt}</dd>
                <dt>${t('signingKey')}</dt>
                <dd><code>${checkpoint.keyId}</code></dd>
                <dt>${t('signature')}</dt>
                <dd><code class="hash">${checkpoint.signature}</code></dd>
              </dl>
              <p class="muted">${t('checkpointNote')}</p>`
          : html`<p id="report-checkpoint">${t('noCheckpoint')}</p>`
      }
    </div>`,
  );
}
