import type { Procedure } from '@vss/contracts';
import type { StateCountRow, StepAttemptRow } from '@vss/civil-events';
import { type Html, html } from '../views/html';
import { procedureStateName, stepResultName } from '../views/i18n';
import { describedBy, fieldError, formGuards, layout, type PageContext } from '../views/page';
import { table } from '../views/table';
import { personButton } from '../people/people.views';

export const procedureStateOf = (p: Procedure) => p.state.replace('PROCEDURE_STATE_', '');
const kindOf = (p: Procedure) => p.kind.replace('PROCEDURE_KIND_', '');
const when = (iso: string) => iso.slice(0, 19).replace('T', ' ');

/** The states a chart shows, in the order of a procedure's life. */
const CHART_STATES = [
  'ACCEPTED',
  'RUNNING',
  'WAITING_RETRY',
  'AWAITING_APPROVAL',
  'NEEDS_REVIEW',
  'COMPLETED',
  'RESOLVED',
] as const;

function procedureRows(ctx: PageContext, procedures: readonly Procedure[], reason: boolean): Html[] {
  return procedures.map(
    (p) =>
      html`<tr>
        <td><a href="/console/procedures/${p.procedureId}">${p.procedureId.slice(0, 8)}</a></td>
        <td>${kindOf(p)}</td>
        <td>${p.header?.officeCode ?? ''}</td>
        <td>${procedureStateName(procedureStateOf(p), ctx.lang)}</td>
        ${reason ? html`<td class="reason">${p.reviewReason}</td>` : ''}
        <td><time datetime="${p.updatedAt}">${when(p.updatedAt)}</time></td>
      </tr>`,
  );
}

function procedureTable(
  ctx: PageContext,
  id: string,
  procedures: readonly Procedure[],
  reason: boolean,
): Html {
  const { t } = ctx;
  return table(
    [
      t('procedure'),
      t('procedureKind'),
      t('office'),
      t('state'),
      ...(reason ? [t('reason')] : []),
      t('lastChange'),
    ],
    procedureRows(ctx, procedures, reason),
    { id, empty: t('nothingWaits') },
  );
}

export interface ProceduresPageData {
  counts: readonly StateCountRow[];
  queue: { review: Procedure[]; approval: Procedure[]; stuck: Procedure[] };
  state: string;
  list: readonly Procedure[];
  nextPageToken: string;
}

/** The chart's data: per state, the count of each day (days without procedures count 0). */
function chartData(ctx: PageContext, counts: readonly StateCountRow[]) {
  const days = [...new Set(counts.map((c) => c.day))].sort();
  return {
    days,
    series: CHART_STATES.map((state) => ({
      label: procedureStateName(state, ctx.lang),
      state,
      values: days.map((d) => counts.find((c) => c.day === d && c.state === state)?.count ?? 0),
    })).filter((s) => s.values.some((v) => v > 0)),
  };
}

export function proceduresPage(ctx: PageContext, data: ProceduresPageData): Html {
  const { t } = ctx;
  const chart = chartData(ctx, data.counts);
  const option = (value: string, label: string) =>
    html`<option value="${value}" ${data.state === value ? html` selected` : ''}>${label}</option>`;
  return layout(
    ctx,
    t('procedures'),
    html`<h2 id="chart-heading">${t('proceduresByDay')}</h2>
      <figure class="chart">
        <canvas
          id="procedures-chart"
          role="img"
          aria-labelledby="chart-heading"
          height="220"
          data-chart="${JSON.stringify(chart)}"
        ></canvas>
        <figcaption class="muted">${t('proceduresByDayNote')}</figcaption>
      </figure>
      ${table(
        [t('day'), ...chart.series.map((s) => ({ label: s.label, numeric: true as const }))],
        chart.days.map(
          (d, i) =>
            html`<tr>
              <td>${d}</td>
              ${chart.series.map((s) => html`<td class="num">${s.values[i]}</td>`)}
            </tr>`,
        ),
        { id: 'procedure-counts', empty: t('noProcedures'), caption: t('proceduresByDay') },
      )}
      <h2>${t('reviewQueue')}</h2>
      <h3>${t('needsReview')}</h3>
      ${procedureTable(ctx, 'queue-review', data.queue.review, true)}
      <h3>${t('awaitingApprovalQueue')}</h3>
      ${procedureTable(ctx, 'queue-approval', data.queue.approval, true)}
      <h3>${t('stuck')}</h3>
      <p class="muted">${t('stuckNote')}</p>
      ${procedureTable(ctx, 'queue-stuck', data.queue.stuck, false)}
      <h2>${t('allProcedures')}</h2>
      <form method="get" action="/console/procedures" class="filters">
        <div>
          <label for="state">${t('state')}</label>
          <select id="state" name="state">
            ${option('', t('all'))} ${CHART_STATES.map((s) => option(s, procedureStateName(s, ctx.lang)))}
          </select>
        </div>
        <button type="submit">${t('filter')}</button>
      </form>
      ${procedureTable(ctx, 'procedures', data.list, false)}
      ${
        data.nextPageToken
          ? html`<p class="pager">
              <a href="/console/procedures?state=${data.state}&page=${data.nextPageToken}">${t('next')}</a>
            </p>`
          : ''
      }`,
  );
}

function duration(a: StepAttemptRow): string {
  if (!a.ended_at) return '';
  const ms = new Date(a.ended_at).getTime() - new Date(a.started_at).getTime();
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The live part of a procedure's page: its state and every attempt at its steps. */
export function procedureLive(
  ctx: PageContext,
  procedure: Procedure,
  attempts: readonly StepAttemptRow[],
): Html {
  const { t } = ctx;
  const state = procedureStateOf(procedure);
  const rows = procedure.steps.map((step) => {
    const tries = attempts.filter((a) => a.step === step.name);
    const status = step.state.replace('STEP_STATE_', '');
    const head = html`<tr class="step" data-step="${step.name}">
      <th scope="rowgroup" rowspan="${Math.max(1, tries.length)}">
        ${step.name}<br /><span class="muted">${status}</span>
      </th>
      ${tries.length === 0 ? html`<td colspan="5" class="muted">${t('notAttempted')}</td>` : attemptCells(ctx, tries[0])}
    </tr>`;
    return html`${head}${tries.slice(1).map(
      (a) =>
        html`<tr data-step="${step.name}">
          ${attemptCells(ctx, a)}
        </tr>`,
    )}`;
  });
  return html`<dl class="facts" id="procedure-facts">
      <div>
        <dt>${t('state')}</dt>
        <dd id="procedure-state" data-state="${state}">${procedureStateName(state, ctx.lang)}</dd>
      </div>
      <div>
        <dt>${t('lastChange')}</dt>
        <dd>${when(procedure.updatedAt)}</dd>
      </div>
    </dl>
    ${
      procedure.reviewReason
        ? html`<div class="notice" id="review-reason">
            <p><strong>${t('reason')}:</strong> <span class="reason">${procedure.reviewReason}</span></p>
          </div>`
        : ''
    }
    ${
      procedure.resolutionNote
        ? html`<p><strong>${t('resolutionNote')}:</strong> ${procedure.resolutionNote}</p>`
        : ''
    }
    <table id="timeline">
      <caption>
        ${t('timeline')}
      </caption>
      <thead>
        <tr>
          <th scope="col">${t('step')}</th>
          <th scope="col" class="num">${t('attempt')}</th>
          <th scope="col">${t('startedAt')}</th>
          <th scope="col" class="num">${t('duration')}</th>
          <th scope="col">${t('result')}</th>
          <th scope="col">${t('error')}</th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>`;
}

function attemptCells(ctx: PageContext, a: StepAttemptRow): Html {
  return html`<td class="num">${a.attempt}</td>
    <td>
      <time datetime="${new Date(a.started_at).toISOString()}"
        >${when(new Date(a.started_at).toISOString())}</time
      >
    </td>
    <td class="num">${duration(a)}</td>
    <td class="result-${(a.result ?? 'open').toLowerCase()}">${stepResultName(a.result, ctx.lang)}</td>
    <td class="reason">${a.error ?? ''}</td>`;
}

export interface ProcedureActions {
  canAct: boolean;
  note?: string;
  error?: { field?: string; message: string };
}

/** Retry and Resolve, for an operator, while the procedure is not settled. */
export function actionsOf(ctx: PageContext, procedure: Procedure, actions: ProcedureActions): Html {
  const { t } = ctx;
  const moving = !['COMPLETED', 'RESOLVED', 'REJECTED'].includes(procedureStateOf(procedure));
  const noteError = actions.error?.field === 'note' ? actions.error.message : undefined;
  const formError = actions.error && actions.error.field !== 'note' ? actions.error.message : undefined;
  return actions.canAct && moving
    ? html`<section class="card" aria-labelledby="act-heading">
        <h2 id="act-heading">${t('actions')}</h2>
        ${formError ? html`<div class="notice error" role="alert"><p>${formError}</p></div>` : ''}
        <form method="post" action="/console/procedures/${procedure.procedureId}/retry">
          ${formGuards(ctx)}
          <p class="muted">${t('retryHelp')}</p>
          <button type="submit" id="retry">${t('retry')}</button>
        </form>
        <form method="post" action="/console/procedures/${procedure.procedureId}/resolve">
          ${formGuards(ctx)}
          <label for="note">${t('resolveNote')}</label>
          <textarea id="note" name="note" rows="3" maxlength="1000" ${describedBy('note', noteError)}>
${actions.note ?? ''}</textarea>
          ${fieldError('note', noteError)}
          <button type="submit" id="resolve" class="danger">${t('resolve')}</button>
        </form>
      </section>`
    : html``;
}

export function procedurePage(
  ctx: PageContext,
  procedure: Procedure,
  attempts: readonly StepAttemptRow[],
  actions: ProcedureActions,
): Html {
  const { t } = ctx;
  const state = procedureStateOf(procedure);
  const moving = !['COMPLETED', 'RESOLVED', 'REJECTED'].includes(state);
  return layout(
    ctx,
    `${t('procedure')} ${procedure.procedureId.slice(0, 8)}`,
    html`<p class="muted">
        <code>${procedure.procedureId}</code> · ${kindOf(procedure)} · ${t('office')}:
        ${procedure.header?.officeCode ?? ''} · ${t('registrationNumber')}:
        ${procedure.header?.registrationNumber ?? ''} · ${t('receivedAt')}: ${when(procedure.createdAt)}
        ${
          procedure.approvalId
            ? html` · <a href="/console/approvals/${procedure.approvalId}">${t('approvals')}</a>`
            : ''
        }
        ${
          procedure.originalProcedureId
            ? html` · <a href="/console/procedures/${procedure.originalProcedureId}">${t('amends')}</a>`
            : ''
        }
        ${procedure.amendmentProcedureIds.map(
          (id) => html` · <a href="/console/procedures/${id}">${t('amendedBy')} ${id.slice(0, 8)}</a>`,
        )}
      </p>
      ${personButton(ctx, procedure.subjectCitizenId)}
      <div
        class="live"
        ${
          moving
            ? html` hx-ext="sse" sse-connect="/console/procedures/${procedure.procedureId}/events"
              sse-close="done"`
            : ''
        }
      >
        <div aria-live="polite" sse-swap="progress" hx-swap="innerHTML" id="procedure-live">
          ${procedureLive(ctx, procedure, attempts)}
        </div>
        ${moving ? html`<p class="muted" id="live-note">● ${t('live')}</p>` : ''}
        <div id="procedure-actions" sse-swap="actions" hx-swap="innerHTML">
          ${actionsOf(ctx, procedure, actions)}
        </div>
      </div>`,
  );
}
