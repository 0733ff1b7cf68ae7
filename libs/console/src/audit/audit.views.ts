import type { ChainHead, Checkpoint, VerifyReport } from '@vss/audit';
import { type Html, html } from '../views/html';
import { layout, type PageContext } from '../views/page';
import { table } from '../views/table';

const number = (ctx: PageContext, n: number | string) =>
  Number(n).toLocaleString(ctx.lang === 'vi' ? 'vi-VN' : 'en-GB');

export function auditPage(
  ctx: PageContext,
  head: ChainHead | undefined,
  checkpoints: readonly Checkpoint[],
  trustsKeys: boolean,
  olderThan: string | undefined,
): Html {
  const { t } = ctx;
  const last = checkpoints[0];
  return layout(
    ctx,
    t('auditChain'),
    html`<dl class="facts" id="chain-head">
        <div>
          <dt>${t('chainHead')}</dt>
          <dd id="head-seq">${head ? number(ctx, head.seq) : '–'}</dd>
        </div>
        <div>
          <dt>${t('chainHash')}</dt>
          <dd><code class="hash">${head?.hash ?? ''}</code></dd>
        </div>
        <div>
          <dt>${t('lastEntryAt')}</dt>
          <dd>${head?.occurredAt ?? ''}</dd>
        </div>
        <div>
          <dt>${t('lastCheckpoint')}</dt>
          <dd id="last-checkpoint">
            ${last && !olderThan ? `${number(ctx, last.seq)} · ${last.signedAt}` : '–'}
          </dd>
        </div>
      </dl>
      <section class="card" aria-labelledby="verify-heading">
        <h2 id="verify-heading">${t('verifyChain')}</h2>
        <p class="muted">${trustsKeys ? t('verifyHelp') : t('verifyNoKeys')}</p>
        <div id="verify">
          <button type="button" id="verify-start" data-verify="/console/audit/verify/events">
            ${t('verifyNow')}
          </button>
          <div id="verify-progress" aria-live="polite"></div>
        </div>
      </section>
      <h2>${t('checkpoints')}</h2>
      ${table(
        [t('position'), t('treeRoot'), t('chainHash'), t('signedAt'), t('signingKey'), t('signature')],
        checkpoints.map(
          (c) =>
            html`<tr>
              <td class="num">${number(ctx, c.seq)}</td>
              <td><code class="hash">${c.rootHash ?? '–'}</code></td>
              <td><code class="hash">${c.hash}</code></td>
              <td>${c.signedAt}</td>
              <td><code>${c.keyId}</code></td>
              <td><code class="hash">${c.signature}</code></td>
            </tr>`,
        ),
        { id: 'checkpoints', empty: t('noCheckpoint') },
      )}
      ${
        checkpoints.length === 50
          ? html`<p class="pager">
              <a href="/console/audit?before=${checkpoints[checkpoints.length - 1].seq}">${t('older')}</a>
            </p>`
          : ''
      }`,
  );
}

/** What a verification has found so far, or at its end. */
export function verifyProgress(
  ctx: PageContext,
  report: Readonly<VerifyReport>,
  head: string,
  done: boolean,
): Html {
  const { t } = ctx;
  const total = Math.max(1, Number(head));
  const percent = Math.min(100, Math.floor((Number(report.intactThrough) * 100) / total));
  const verdict = !done
    ? ''
    : report.problem?.kind === 'unanchored'
      ? html`<div class="notice warning" role="status" id="verify-result" data-intact="unanchored">
          <p>
            <strong>${t('chainUnanchored')}</strong> ${number(ctx, report.entries)} ${t('entries')}.
            ${report.problem.message}
          </p>
        </div>`
      : report.problem
        ? html`<div class="notice error" role="alert" id="verify-result" data-intact="false">
            <p><strong>${t('chainBroken')}</strong> ${report.problem.message}</p>
          </div>`
        : html`<div class="notice" id="verify-result" data-intact="true">
            <p>
              <strong>${t('chainIntact')}</strong> ${number(ctx, report.entries)} ${t('entries')},
              ${number(ctx, report.checkpointsVerified)} ${t('checkpointsVerified')}
            </p>
          </div>`;
  return html`<p>
      <progress max="100" value="${percent}"></progress>
      ${number(ctx, report.intactThrough)} / ${number(ctx, head)} ${t('entries')}
    </p>
    ${verdict}`;
}
