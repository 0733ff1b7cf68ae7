import { type Html, html } from '../views/html';
import { procedureStateName } from '../views/i18n';
import { layout, type PageContext } from '../views/page';
import type { CallRates } from './call-rates';

/** What the overview's tiles show. */
export interface Overview {
  rates: CallRates;
  procedures: ReadonlyArray<{ state: string; count: number }>;
  queues: ReadonlyArray<{ name: string; label: string; depth: number }>;
  runsInProgress: number;
  approvalsWaiting: number;
  /** True when there are more approvals waiting than were counted. */
  approvalsMore: boolean;
}

const number = (ctx: PageContext, n: number) =>
  Number.isNaN(n) ? '–' : n.toLocaleString(ctx.lang === 'vi' ? 'vi-VN' : 'en-GB');

function tile(id: string, href: string, title: string, body: Html): Html {
  return html`<section class="tile" id="${id}" aria-labelledby="${id}-title">
    <h2 id="${id}-title"><a href="${href}">${title}</a></h2>
    ${body}
  </section>`;
}

/** The tiles: pushed again every few seconds while the page is open. */
export function overviewTiles(ctx: PageContext, o: Overview): Html {
  const { t } = ctx;
  const figure = (id: string, label: string, value: string) =>
    html`<div>
      <dt>${label}</dt>
      <dd id="${id}" class="figure">${value}</dd>
    </div>`;
  return html`<div class="tiles">
    ${tile(
      'tile-lookups',
      '/console/audit',
      t('lookupsPerMinute'),
      html`<dl class="plain-figures">
          ${figure('lookups-answered', t('answered'), number(ctx, o.rates.lookups))}
          ${figure('lookups-refused-limit', t('refusedByLimit'), number(ctx, o.rates.refusedByLimit))}
          ${figure('lookups-refused-auth', t('refusedByAuth'), number(ctx, o.rates.refusedByAuth))}
        </dl>
        <p class="muted">${t('thisGateway')} · ${o.rates.seconds} s</p>`,
    )}
    ${tile(
      'tile-procedures',
      '/console/procedures',
      t('openProcedures'),
      html`<dl class="plain-figures">
        ${o.procedures.map((p) =>
          figure(
            `procedures-${p.state.toLowerCase()}`,
            procedureStateName(p.state, ctx.lang),
            number(ctx, p.count),
          ),
        )}
      </dl>`,
    )}
    ${tile(
      'tile-queue',
      '/console/procedures',
      t('jobQueue'),
      html`<dl class="plain-figures">
        ${o.queues.map((q) => figure(`queue-${q.name}`, q.label, number(ctx, q.depth)))}
      </dl>`,
    )}
    ${tile(
      'tile-runs',
      '/console/runs',
      t('runsInProgress'),
      html`<p id="runs-in-progress" class="figure">${number(ctx, o.runsInProgress)}</p>`,
    )}
    ${tile(
      'tile-approvals',
      '/console/approvals',
      t('approvalsWaiting'),
      html`<p id="approvals-waiting" class="figure">
        ${number(ctx, o.approvalsWaiting)}${o.approvalsMore ? '+' : ''}
      </p>`,
    )}
  </div>`;
}

export function overviewPage(ctx: PageContext, o: Overview): Html {
  const { t } = ctx;
  return layout(
    ctx,
    t('overview'),
    html`<div hx-ext="sse" sse-connect="/console/overview/events">
      <div sse-swap="tiles" hx-swap="innerHTML" id="overview-tiles">${overviewTiles(ctx, o)}</div>
      <p class="muted" id="live-note">● ${t('live')}</p>
    </div>`,
  );
}
