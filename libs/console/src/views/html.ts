import escapeHtml from 'escape-html';

/** Markup that is already safe to put in a page: made only by `html` (or `raw` for our own constants). */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

function render(value: Part): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/**
 * The console's templates: tagged template literals whose every interpolated value is escaped
 * unless it is Html made by this tag; arrays are joined, and null, undefined and false are
 * nothing. A view is a typed function, checked by the compiler like any other code.
 */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let text = strings[0];
  for (let i = 0; i < values.length; i++) text += render(values[i]) + strings[i + 1];
  return new Html(text);
}

/** Markup we wrote ourselves (never text from a request or the database). */
export function raw(markup: string): Html {
  return new Html(markup);
}
