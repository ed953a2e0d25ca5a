// The frame every email shares: inline styles (mail clients ignore style sheets), the wrapper with its
// footer, and the "you receive this because" note of a fallback recipient.
import { html, type SafeHtml } from './html';
import type { NotificationPeople } from './render';

export const S = {
  body: 'font-family: -apple-system, Segoe UI, Helvetica, Arial, sans-serif; font-size: 14px; color: #1f2933; line-height: 1.45;',
  h2: 'font-size: 16px; margin: 18px 0 6px;',
  h3: 'font-size: 14px; margin: 12px 0 4px; color: #52606d;',
  code: 'font-family: SFMono-Regular, Consolas, monospace; font-size: 12px; background: #f0f4f8; padding: 1px 4px; border-radius: 3px;',
  note: 'color: #7b8794; font-size: 12px;',
  warn: 'background: #fff8e1; border: 1px solid #f0c36d; padding: 8px 12px; border-radius: 4px;',
  banner: 'background: #e3f9e5; border: 1px solid #57ae5b; color: #0e5814; padding: 10px 14px; border-radius: 4px; font-size: 15px; font-weight: bold;',
  td: 'padding: 4px 8px; border-bottom: 1px solid #e4e7eb; vertical-align: top;',
  button: 'display: inline-block; background-color: #0b5cad; color: #ffffff; padding: 10px 18px; border-radius: 4px; text-decoration: none; font-weight: bold;',
};

export function wrapHtml(title: string, body: SafeHtml): string {
  return html`<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body style="${S.body}">${body}<p style="${S.note}">Sent by the offboarding worker. Reply to the requester if something looks wrong.</p></body></html>`.value;
}

export function fallbackText(people: NotificationPeople): string {
  return people.fallback ? `\nYou receive this because ${people.fallback.why}.\n` : '';
}

export function fallbackHtml(people: NotificationPeople): SafeHtml | string {
  return people.fallback ? html`<p style="${S.warn}">You receive this because ${people.fallback.why}.</p>` : '';
}
