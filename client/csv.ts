// CSV as spreadsheets read it (RFC 4180: comma-separated, CRLF line ends, fields quoted when they hold
// a comma, a quote or a line break, quotes doubled). Names and titles come from people, and
// spreadsheets execute a cell that starts with = + - @ (or a tab or carriage return), also after
// leading spaces or line breaks, which they skip (` =HYPERLINK(…)`), and in the full-width forms
// (＝ ＋ － ＠) some of them read as the same: such cells are neutralised with a leading apostrophe,
// which spreadsheets show as text.

const FORMULA_START = /^(?:[\t\r]|[\s\u200B]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/;

export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRow(values: readonly (string | number | null | undefined)[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
