import type { Run } from '@vss/contracts';
import type { PartitionProgress, ProvinceCount } from '@vss/reconciliation';
import { PROVINCES } from '@vss/domain';
import { type Html, html } from '../views/html';
import { outcomeName, runStateName } from '../views/i18n';
import { describedBy, fieldError, formGuards, layout, type PageContext } from '../views/page';
import { table } from '../views/table';

export const stateOf = (run: Run) => run.state.replace('RUN_STATE_', '');
const outcomeOf = (o: string) => o.replace('OUTCOME_', '');
const provinceName = (code: string) => PROVINCES.find((p) => p.code === code)?.name ?? code;
const number = (ctx: PageContext, n: number | string) =>
  Number(n).toLocaleString(ctx.lang === 'vi' ? 'vi-VN' : 'en-GB');

export interface StartRunForm {
  scope: 'all' | 'province' | 'changed';
  provinceCode: string;
  changedSince: string;
  dryRun: boolean;
  findCandidates: boolean;
  errors: { scope?: string; province_code?: string; changed_since?: string; form?: string };
}

export const EMPTY_START_FORM: StartRunForm = {
  scope: 'province',
  provinceCode: '',
  changedSince: '',
  dryRun: false,
  findCandidates: true,
  errors: {},
};

function startForm(ctx: PageContext, form: StartRunForm): Html {
  const { t } = ctx;
  const e = form.errors;
  const radio = (value: StartRunForm['scope'], label: string) =>
    html`<label class="inline"
      ><input type="radio" name="scope" value="${value}" ${form.scope === value ? html` checked` : ''} />
      ${label}</label
    >`;
  return html`<section aria-labelledby="start-heading" class="card">
<h2 id="start-heading">${t('startRun')}</h2>
${e.form ? html`<div class="notice error" role="alert"><p>${e.form}</p></div>` : ''}
<form method="post" action="/console/runs" id="start-run">
  ${formGuards(ctx)}
  <fieldset${describedBy('scope', e.scope)}>
    <legend>${t('scope')}</legend>
    ${radio('all', t('scopeAll'))}
    ${radio('province', t('scopeProvince'))}
    ${radio('changed', t('scopeChangedSince'))}
  </fieldset>
  ${fieldError('scope', e.scope)}
  <label for="province_code">${t('provinceCode')}</label>
  <input id="province_code" name="province_code" inputmode="numeric" maxlength="3" value="${form.provinceCode}"${describedBy('province_code', e.province_code)}>
  ${fieldError('province_code', e.province_code)}
  <label for="changed_since">${t('changedSince')}</label>
  <input id="changed_since" name="changed_since" type="date" value="${form.changedSince}"${describedBy('changed_since', e.changed_since)}>
  ${fieldError('changed_since', e.changed_since)}
  <label class="inline"><input type="checkbox" name="dry_run" value="1"${form.dryRun ? html` checked` : ''}> ${t('dryRun')}</label>
  <label class="inline"><input type="checkbox" name="find_candidates" value="1"${form.findCandidates ? html` checked` : ''}> ${t('findCandidates')}</label>
  <button type="submit">${t('start')}</button>
</form>
</section>`;
}

export function runsPage(
  ctx: PageContext,
  runs: readonly Run[],
  form: StartRunForm | undefined,
  nextPageToken: string,
): Html {
  const { t } = ctx;
  const rows = runs.map(
    (r) =>
      html`<tr>
        <td><a href="/console/runs/${r.runId}">${r.runId.slice(0, 8)}</a></td>
        <td>${scopeText(ctx, r)}</td>
        <td>
          <span class="state state-${stateOf(r).toLowerCase()}">${runStateName(stateOf(r), ctx.lang)}</span>
        </td>
        <td class="num">${number(ctx, r.recordsProcessed)} / ${number(ctx, r.recordsTotal)}</td>
        <td>${r.startedBy}</td>
        <td><time datetime="${r.createdAt}">${r.createdAt.slice(0, 16).replace('T', ' ')}</time></td>
      </tr>`,
  );
  return layout(
    ctx,
    t('runs'),
    html`${form ? startForm(ctx, form) : html`<p class="muted">${t('readOnly')}</p>`}
      <section aria-labelledby="runs-heading">
        <h2 id="runs-heading">${t('runs')}</h2>
        ${table([t('run'), t('scope'), t('state'), t('progress'), t('startedBy'), t('createdAt')], rows, {
          empty: t('noRuns'),
        })}
        ${nextPageToken ? html`<p><a href="/console/runs?page=${nextPageToken}">${t('next')}</a></p>` : ''}
      </section>`,
  );
}

function scopeText(ctx: PageContext, run: Run): string {
  const s = run.scope;
  if (s?.provinceCode) return `${s.provinceCode} ${provinceName(s.provinceCode)}`;
  if (s?.changedSince) return `${ctx.t('scopeChangedSince')} ${s.changedSince}`;
  return ctx.t('scopeAll');
}

/** The part of a run's page that moves: pushed whole as each change arrives. */
export function runLive(
  ctx: PageContext,
  run: Run,
  partitions: readonly PartitionProgress[],
  canCancel: boolean,
): Html {
  const { t } = ctx;
  const total = Number(run.recordsTotal);
  const processed = Number(run.recordsProcessed);
  const percent = total > 0 ? Math.min(100, Math.floor((processed * 100) / total)) : 0;
  const state = stateOf(run);
  const counts = run.counts.map((c) => ({ outcome: outcomeOf(c.outcome), count: Number(c.count) }));
  const chart = JSON.stringify(
    counts.map((c) => ({ label: outcomeName(c.outcome, ctx.lang), value: c.count })),
  );
  return html`<div id="run-live" data-state="${state}" data-chart="${chart}">
    <dl class="facts">
      <div>
        <dt>${t('state')}</dt>
        <dd>
          <span class="state state-${state.toLowerCase()}" id="run-state"
            >${runStateName(state, ctx.lang)}</span
          >
        </dd>
      </div>
      <div>
        <dt>${t('progress')}</dt>
        <dd>
          <progress max="100" value="${percent}" aria-label="${t('progress')}">${percent}%</progress>
          <span id="run-processed">${number(ctx, processed)}</span> / ${number(ctx, total)} ${t('records')}
          (${percent}%)
        </dd>
      </div>
      <div>
        <dt>${t('recordsPerSecond')}</dt>
        <dd>${number(ctx, run.recordsPerSecond)}</dd>
      </div>
      <div>
        <dt>${t('eta')}</dt>
        <dd>${etaText(Number(run.etaSeconds))}</dd>
      </div>
    </dl>
    ${run.error ? html`<div class="notice error" role="alert"><p>${t('error')}: ${run.error}</p></div>` : ''}
    ${
      canCancel && (state === 'QUEUED' || state === 'RUNNING')
        ? html`<form method="post" action="/console/runs/${run.runId}/cancel">
            ${formGuards(ctx)}<button type="submit" class="danger">${t('cancel')}</button>
          </form>`
        : ''
    }
    <h2>${t('outcomes')}</h2>
    ${table(
      [t('outcome'), { label: t('count'), numeric: true }],
      counts.map(
        (c) =>
          html`<tr data-outcome="${c.outcome}">
            <td>${outcomeName(c.outcome, ctx.lang)}</td>
            <td class="num">${number(ctx, c.count)}</td>
          </tr>`,
      ),
      { id: 'run-counts' },
    )}
    <details>
      <summary>
        ${t('partitions')} (${partitions.filter((p) => p.done).length}/${partitions.length}
        ${t('done').toLowerCase()})
      </summary>
      ${table(
        [t('partition'), { label: t('records'), numeric: true }, t('done')],
        partitions.map(
          (p) =>
            html`<tr>
              <td>${p.partitionNo}</td>
              <td class="num">${number(ctx, p.processed)}</td>
              <td>${p.done ? t('yes') : t('no')}</td>
            </tr>`,
        ),
      )}
    </details>
  </div>`;
}

function etaText(seconds: number): string {
  if (!seconds) return '–';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s} s` : `${s} s`;
}

export function runPage(
  ctx: PageContext,
  run: Run,
  partitions: readonly PartitionProgress[],
  provinces: readonly ProvinceCount[],
  canCancel: boolean,
  cancelError?: string,
  review?: { findings: number; decided: number },
): Html {
  const { t } = ctx;
  const state = stateOf(run);
  const moving = state === 'QUEUED' || state === 'RUNNING';
  return layout(
    ctx,
    `${t('run')} ${run.runId.slice(0, 8)}`,
    html`<p class="muted">
        <code>${run.runId}</code> · ${scopeText(ctx, run)} · ${t('startedBy')}:
        ${run.startedBy}${run.dryRun ? html` · ${t('dryRun')}` : ''}${run.modelVersion ? html` · ${t('model')}: ${run.modelVersion}` : ''}
      </p>
      ${
        review && !run.dryRun
          ? html`<p id="run-review">
              <a href="/console/findings?run=${run.runId}">${t('review')}</a>: ${review.decided} ${t('of')}
              ${review.findings} ${t('reviewed')}
            </p>`
          : ''
      }
      ${cancelError ? html`<div class="notice error" role="alert"><p>${cancelError}</p></div>` : ''}
      <div
        class="live"
        ${moving ? html` hx-ext="sse" sse-connect="/console/runs/${run.runId}/events" sse-close="done"` : ''}
      >
        <div aria-live="polite" sse-swap="progress" hx-swap="innerHTML">
          ${runLive(ctx, run, partitions, canCancel)}
        </div>
        ${moving ? html`<p class="muted" id="live-note">● ${t('live')}</p>` : ''}
        <figure class="chart">
          <canvas id="outcomes-chart" role="img" aria-label="${t('outcomes')}" height="220"></canvas>
        </figure>
        <h2>${t('findingsByProvince')}</h2>
        <div id="run-provinces" sse-swap="provinces" hx-swap="innerHTML">
          ${provincesTable(ctx, provinces)}
        </div>
      </div>`,
  );
}

export function provincesTable(ctx: PageContext, provinces: readonly ProvinceCount[]): Html {
  const { t } = ctx;
  if (provinces.length === 0) return html`<p class="muted">–</p>`;
  return table(
    [t('province'), { label: t('findings'), numeric: true }],
    provinces.map(
      (p) =>
        html`<tr>
          <td>${p.provinceCode} ${provinceName(p.provinceCode)}</td>
          <td class="num">${number(ctx, p.findings)}</td>
        </tr>`,
    ),
  );
}
