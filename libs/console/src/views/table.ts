import { type Html, html } from './html';

export type Column = string | { label: string; numeric: true };

/**
 * A table of rows the caller rendered (each a `<tr>`), with a header row of column labels
 * (numeric ones right-aligned), or `empty` when there are none.
 */
export function table(
  columns: readonly Column[],
  rows: readonly Html[],
  options: { id?: string; empty?: string; caption?: string } = {},
): Html {
  if (rows.length === 0 && options.empty !== undefined) return html`<p>${options.empty}</p>`;
  return html`<table${options.id ? html` id="${options.id}"` : ''}>
    ${
      options.caption
        ? html`<caption>
            ${options.caption}
          </caption>`
        : ''
    }
    <thead>
      <tr>
        ${columns.map((c) =>
          typeof c === 'string'
            ? html`<th scope="col">${c}</th>`
            : html`<th scope="col" class="num">${c.label}</th>`,
        )}
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}
