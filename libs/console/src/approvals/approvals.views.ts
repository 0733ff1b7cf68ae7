import type { Approval, Procedure } from '@vss/contracts';
import type { ReviewedFinding } from '@vss/reconciliation';
import { type Html, html } from '../views/html';
import { approvalStateName, holdName, outcomeName } from '../views/i18n';
import { describedBy, fieldError, formGuards, layout, type PageContext } from '../views/page';
import { table } from '../views/table';

const stateOf = (a: Approval) => a.state.replace('APPROVAL_STATE_', '');
const subjectOf = (a: Approval) => a.subject.replace('APPROVAL_SUBJECT_', '');

/** True when `login` asked for it: requesters are named as `Display Name [login]`. */
export function askedBy(approval: Approval, login: string): boolean {
  return approval.requestedBy.endsWith(`[${login}]`);
}

function subjectLink(a: Approval): Html {
  // An application's subject is "<run ID>:<digest of what was asked>".
  const runId = a.subjectId.split(':')[0];
  return subjectOf(a) === 'FINDINGS'
    ? html`<a href="/console/runs/${runId}">${runId.slice(0, 8)}</a>`
    : html`<code>${a.subjectId}</code>`;
}

/** What an approver weighs: the filing beside what the checks found, or the findings to apply. */
export type Evidence =
  | { kind: 'PROCEDURE'; procedure: Procedure }
  | { kind: 'FINDINGS'; findings: readonly ReviewedFinding[] }
  | { kind: 'NONE' };

function evidenceView(ctx: PageContext, a: Approval, evidence: Evidence): Html {
  const { t } = ctx;
  if (evidence.kind === 'PROCEDURE') {
    const p = evidence.procedure;
    return html`<h2>${t('evidence')}</h2>
      <table class="side-by-side" id="evidence">
        <thead>
          <tr>
            <th scope="col">${t('filing')}</th>
            <th scope="col">${t('checksFound')}</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>
              <dl class="plain">
                <dt>${t('procedureKind')}</dt>
                <dd>${p.kind.replace('PROCEDURE_KIND_', '')}</dd>
                <dt>${t('office')}</dt>
                <dd>${p.header?.officeCode ?? ''}</dd>
                <dt>${t('registrationNumber')}</dt>
                <dd>${p.header?.registrationNumber ?? ''}</dd>
                <dt>${t('registrationDate')}</dt>
                <dd>${p.header?.registrationDate ?? ''}</dd>
                <dt>${t('receivedAt')}</dt>
                <dd>${p.createdAt.slice(0, 10)}</dd>
                <dt>${t('subjectCitizen')}</dt>
                <dd>${p.subjectCitizenId}</dd>
              </dl>
            </td>
            <td class="differs">
              <p class="reason">${a.reason}</p>
              <p class="muted">${t('steps')}:</p>
              <ul>
                ${p.steps.map(
                  (s) =>
                    html`<li>
                      ${s.name}:
                      ${s.state.replace('STEP_STATE_', '')}${s.lastError ? ` — ${s.lastError}` : ''}
                    </li>`,
                )}
              </ul>
            </td>
          </tr>
        </tbody>
      </table>`;
  }
  if (evidence.kind === 'FINDINGS' && evidence.findings.length > 0) {
    return html`<h2>${t('heldFindings')}</h2>
      ${table(
        [t('finding'), t('outcome'), t('socialInsuranceCode'), t('citizenId'), t('dateOfDeath'), t('detail')],
        evidence.findings.map(
          (f) =>
            html`<tr>
              <td><a href="/console/findings/${f.finding_id}">${f.finding_id}</a></td>
              <td>${outcomeName(f.outcome, ctx.lang)}</td>
              <td>${f.social_insurance_code}</td>
              <td>${f.citizen_id ?? ''}</td>
              <td>${f.date_of_death ?? ''}</td>
              <td>${f.detail}</td>
            </tr>`,
        ),
        { id: 'evidence' },
      )}`;
  }
  return html``;
}

export function approvalsPage(
  ctx: PageContext,
  state: 'pending' | 'decided',
  approvals: readonly Approval[],
  nextPageToken: string,
): Html {
  const { t } = ctx;
  const tab = (value: 'pending' | 'decided', label: string) =>
    html`<a href="/console/approvals?state=${value}" ${state === value ? html` aria-current="page"` : ''}
      >${label}</a
    >`;
  const rows = approvals.map(
    (a) => html`<tr${askedBy(a, ctx.operator?.login ?? '') ? html` class="own"` : ''}>
      <td><a href="/console/approvals/${a.approvalId}">${holdName(a.hold, ctx.lang)}</a></td>
      <td>${subjectOf(a)} ${subjectLink(a)}</td>
      <td>${a.requestedBy}</td>
      <td>${a.officeCode}</td>
      <td><time datetime="${a.createdAt}">${a.createdAt.slice(0, 16).replace('T', ' ')}</time></td>
      <td>${approvalStateName(stateOf(a), ctx.lang)}</td>
    </tr>`,
  );
  return layout(
    ctx,
    t('approvals'),
    html`<nav class="tabs" aria-label="${t('approvals')}">
        ${tab('pending', t('approvalsWaiting'))} ${tab('decided', t('approvalsDecided'))}
      </nav>
      ${table([t('hold'), t('subject'), t('requestedBy'), t('office'), t('createdAt'), t('state')], rows, {
        empty: t('noApprovals'),
      })}
      ${nextPageToken ? html`<p><a href="/console/approvals?state=${state}&amp;page=${nextPageToken}">${t('next')}</a></p>` : ''}`,
  );
}

export function approvalPage(
  ctx: PageContext,
  a: Approval,
  options: {
    canDecide: boolean;
    evidence: Evidence;
    note?: string;
    error?: { field?: string; message: string };
  },
): Html {
  const { t } = ctx;
  const pending = stateOf(a) === 'PENDING';
  const own = askedBy(a, ctx.operator?.login ?? '');
  const noteError = options.error?.field === 'note' ? options.error.message : undefined;
  const decide =
    pending && options.canDecide && !own
      ? html`<form method="post" action="/console/approvals/${a.approvalId}/decide" class="decide">
          ${formGuards(ctx)}
          ${options.error && !noteError ? html`<div class="notice error" role="alert"><p>${options.error.message}</p></div>` : ''}
          <label for="note">${t('note')} <span class="muted">(${t('noteRequiredToReject')})</span></label>
          <textarea id="note" name="note" rows="3" maxlength="1000" ${describedBy('note', noteError)}>
${options.note ?? ''}</textarea>
          ${fieldError('note', noteError)}
          <div class="buttons">
            <button type="submit" name="decision" value="approve">${t('approve')}</button>
            <button type="submit" name="decision" value="reject" class="danger">${t('reject')}</button>
          </div>
        </form>`
      : pending && own
        ? html`${options.error ? html`<div class="notice error" role="alert"><p>${options.error.message}</p></div>` : ''}
            <div class="notice" role="status"><p>${t('ownRequest')}</p></div>`
        : pending
          ? html`<p class="muted">${t('readOnly')}</p>`
          : '';
  return layout(
    ctx,
    `${t('approvals')}: ${holdName(a.hold, ctx.lang)}`,
    html`<dl class="facts">
        <div>
          <dt>${t('state')}</dt>
          <dd id="approval-state">${approvalStateName(stateOf(a), ctx.lang)}</dd>
        </div>
        <div>
          <dt>${t('subject')}</dt>
          <dd>${subjectOf(a)} ${subjectLink(a)}</dd>
        </div>
        <div>
          <dt>${t('requestedBy')}</dt>
          <dd>${a.requestedBy}</dd>
        </div>
        ${
          a.officeCode
            ? html`<div>
                <dt>${t('office')}</dt>
                <dd>${a.officeCode}</dd>
              </div>`
            : ''
        }
        <div>
          <dt>${t('createdAt')}</dt>
          <dd><time datetime="${a.createdAt}">${a.createdAt.slice(0, 19).replace('T', ' ')}</time></dd>
        </div>
        ${
          a.decidedBy
            ? html`<div>
                <dt>${t('decidedBy')}</dt>
                <dd>
                  ${a.decidedBy} ·
                  <time datetime="${a.decidedAt}">${a.decidedAt.slice(0, 19).replace('T', ' ')}</time>
                </dd>
              </div>`
            : ''
        }
        ${
          a.note
            ? html`<div>
                <dt>${t('note')}</dt>
                <dd>${a.note}</dd>
              </div>`
            : ''
        }
        ${
          a.outcome
            ? html`<div>
                <dt>${t('outcomeText')}</dt>
                <dd id="approval-outcome">${a.outcome}</dd>
              </div>`
            : ''
        }
      </dl>
      <h2>${t('reason')}</h2>
      <p class="reason">${a.reason}</p>
      ${evidenceView(ctx, a, options.evidence)} ${decide}
      <p><a href="/console/approvals">${t('back')}</a></p>`,
  );
}
