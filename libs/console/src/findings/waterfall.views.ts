import type { MatchWaterfall } from '@vss/domain/match-waterfall';
import { type Html, html } from '../views/html';
import type { PageContext } from '../views/page';

const bits = (n: number) => `${n >= 0 ? '+' : '−'}${Math.abs(n).toFixed(2)}`;
const share = (n: number) => (n < 0.0001 ? n.toExponential(2) : n.toFixed(4));
/** A probability as a person reads it: never "100 %" for what is only nearly certain. */
const percent = (p: number) =>
  p >= 0.99995 && p < 1 ? '> 99.99%' : p > 0 && p < 0.00005 ? '< 0.01%' : `${(p * 100).toFixed(2)}%`;

/**
 * A pair's match weights as a waterfall: a chart (Chart.js floating bars, drawn by console.js
 * from data-waterfall) and the same numbers as a table, which is what a screen reader reads.
 */
export function waterfallView(ctx: PageContext, id: string, w: MatchWaterfall): Html {
  const { t } = ctx;
  const bars: Array<{ label: string; from: number; to: number }> = [];
  let at = w.priorWeight;
  bars.push({ label: t('prior'), from: 0, to: at });
  for (const s of w.steps) {
    bars.push({ label: `${s.comparison}: ${s.level}`, from: at, to: at + s.weight });
    at += s.weight;
    if (s.termFrequencyAdjustment !== 0) {
      bars.push({ label: `${t('tfAdjustment')}`, from: at, to: at + s.termFrequencyAdjustment });
      at += s.termFrequencyAdjustment;
    }
  }
  bars.push({ label: t('finalWeight'), from: 0, to: w.finalWeight });
  return html`<figure class="waterfall" id="waterfall-${id}">
    <canvas
      class="waterfall-chart"
      height="260"
      role="img"
      aria-label="${t('waterfall')}: ${t('finalWeight')} ${bits(w.finalWeight)}, ${t('probability')} ${percent(w.probability)}"
      data-waterfall="${JSON.stringify(bars)}"
    ></canvas>
    <table class="waterfall-table">
      <caption>
        ${t('waterfall')}
      </caption>
      <thead>
        <tr>
          <th scope="col">${t('comparison')}</th>
          <th scope="col">${t('level')}</th>
          <th scope="col" class="num">m</th>
          <th scope="col" class="num">u</th>
          <th scope="col" class="num">${t('weight')}</th>
          <th scope="col" class="num">${t('tfAdjustment')}</th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <th scope="row">${t('prior')}</th>
          <td>λ = ${share(w.priorProbability)}</td>
          <td></td>
          <td></td>
          <td class="num">${bits(w.priorWeight)}</td>
          <td></td>
        </tr>
        ${w.steps.map(
          (s) =>
            html`<tr data-comparison="${s.comparison}">
              <th scope="row">${s.comparison}</th>
              <td>${s.level}</td>
              <td class="num">${share(s.m)}</td>
              <td class="num">${share(s.u)}</td>
              <td class="num">${bits(s.weight)}</td>
              <td class="num">${s.termFrequencyAdjustment === 0 ? '' : bits(s.termFrequencyAdjustment)}</td>
            </tr>`,
        )}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">${t('finalWeight')}</th>
          <td colspan="3"></td>
          <td class="num final-weight">${bits(w.finalWeight)}</td>
          <td></td>
        </tr>
        <tr>
          <th scope="row">${t('probability')}</th>
          <td colspan="3"></td>
          <td class="num probability">${percent(w.probability)}</td>
          <td></td>
        </tr>
      </tfoot>
    </table>
  </figure>`;
}
