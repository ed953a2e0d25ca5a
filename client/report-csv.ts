// The Assignment Report as CSV, one definition for the web's "Download CSV" and the CLI's
// `report --csv`: the columns, and the text produced a chunk of rows at a time from the database's
// cursor (domain/assignment-report.ts), so a download of 100,000 items never holds them all. Cells
// say what the page says (tool, role and status in words): HR opens the file in a spreadsheet.
import type { Database } from '../db/client';
import { assignmentReportRows, type ReportFilter, type ReportRow } from '../domain/assignment-report';
import { itemStatusWords, ROLE_LABELS, TOOL_LABELS } from '../workflows/contract';
import { csvRow } from './csv';

const COLUMNS: readonly { title: string; value: (r: ReportRow) => string | number | null }[] = [
  { title: 'User ID', value: (r) => r.userId },
  { title: 'User', value: (r) => r.userName },
  { title: 'User status', value: (r) => r.userStatus },
  { title: 'Tool', value: (r) => TOOL_LABELS[r.tool] },
  { title: 'Project ID', value: (r) => r.projectId },
  { title: 'Project', value: (r) => r.projectName },
  { title: 'Number', value: (r) => r.number },
  { title: 'Title', value: (r) => r.title },
  { title: 'Responsible as', value: (r) => ROLE_LABELS[r.role] },
  { title: 'Status', value: (r) => itemStatusWords(r.status) },
  { title: 'Item key', value: (r) => r.key },
];

export const REPORT_CSV_HEADER = COLUMNS.map((c) => c.title);

/** One report row as the cells of its CSV line, in REPORT_CSV_HEADER's order. */
export const reportCsvCells = (r: ReportRow) => COLUMNS.map((c) => c.value(r));

/**
 * The CSV text: the header line (unless `header: false`, for a file made of several reports), then
 * one string per chunk of rows (CRLF line ends, RFC 4180).
 */
export async function* assignmentReportCsv(db: Database, filter: ReportFilter = {}, options: { header?: boolean } = {}): AsyncGenerator<string> {
  if (options.header !== false) yield csvRow(REPORT_CSV_HEADER);
  for await (const rows of assignmentReportRows(db, filter)) {
    let text = '';
    for (const r of rows) text += csvRow(reportCsvCells(r));
    yield text;
  }
}

/** `assignment-report-2026-11-30.csv`: the day it was taken (UTC), so downloads do not overwrite each other's meaning. */
export const reportCsvFilename = (now: Date) => `assignment-report-${now.toISOString().slice(0, 10)}.csv`;
