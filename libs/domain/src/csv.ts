/**
 * CSV that a spreadsheet opens as data, never as formulas (OWASP "CSV injection"): a cell that
 * begins with =, +, -, @, a tab or a carriage return is prefixed with an apostrophe, and every
 * cell is quoted (RFC 4180) when it holds a separator, a quote or a line break.
 */
export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line (CRLF-terminated, as RFC 4180 has it). */
export function csvLine(cells: ReadonlyArray<string | number | null | undefined>): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
