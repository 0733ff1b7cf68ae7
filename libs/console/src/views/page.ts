import type { Request } from 'express';
import { callerOrNone, type OperatorIdentity } from '@vss/security';
import { csrf } from '../sessions/console-sessions';
import { type Html, html } from './html';
import { type Lang, langOf, type Translate, translator } from './i18n';

/** What every page needs to know of its request: language, words, CSRF token, who is signed in. */
export interface PageContext {
  lang: Lang;
  t: Translate;
  csrf: string;
  operator?: OperatorIdentity;
  /** This page's path, for the language switch and for returning after sign-in. */
  path: string;
}

export function pageContext(req: Request): PageContext {
  const query = req.query as Record<string, unknown>;
  if (query.lang === 'vi' || query.lang === 'en') req.session.lang = query.lang;
  const lang = langOf(req.session?.lang ?? query.lang);
  return {
    lang,
    t: translator(lang),
    csrf: req.session ? csrf.generateToken(req) : '',
    operator: callerOrNone(req)?.operator,
    path: req.path,
  };
}

/** A form's hidden fields: the CSRF token and the page it is on (to come back to after sign-in). */
export function formGuards(ctx: PageContext): Html {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrf}" /><input
      type="hidden"
      name="_page"
      value="${ctx.path}"
    />`;
}

function navLink(ctx: PageContext, href: string, label: string): Html {
  return html`<a href="${href}" ${ctx.path.startsWith(href) ? html` aria-current="page"` : ''}>${label}</a>`;
}

/** The frame of every page: skip link, navigation, who is signed in, sign-out, language. */
export function layout(ctx: PageContext, title: string, body: Html): Html {
  const { t } = ctx;
  const nav = ctx.operator
    ? html`<nav aria-label="${t('console')}">
          ${navLink(ctx, '/console/overview', t('overview'))}
          ${navLink(ctx, '/console/runs', t('reconciliation'))}
          ${navLink(ctx, '/console/findings', t('reviewNav'))}
          ${navLink(ctx, '/console/approvals', t('approvals'))}
          ${navLink(ctx, '/console/procedures', t('procedures'))}
          ${navLink(ctx, '/console/people', t('people'))} ${navLink(ctx, '/console/audit', t('auditChain'))}
        </nav>
        <div class="who">
          <span
            >${t('signedInAs')}:
            <strong>${ctx.operator.displayName}</strong> (${ctx.operator.roles.join(', ')})</span
          >
          <form method="post" action="/console/sign-out">
            ${formGuards(ctx)}<button type="submit" class="link">${t('signOut')}</button>
          </form>
        </div>`
    : '';
  const other: Lang = ctx.lang === 'vi' ? 'en' : 'vi';
  return html`<!doctype html>
    <html lang="${ctx.lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta
          name="htmx-config"
          content='{"includeIndicatorStyles":false,"allowEval":false,"historyCacheSize":0,"defaultSettleDelay":0}'
        />
        <title>${title} · ${t('appName')}</title>
        <link rel="stylesheet" href="/console/assets/console.css" />
        <script src="/console/assets/htmx.min.js" defer></script>
        <script src="/console/assets/htmx-sse.js" defer></script>
        <script src="/console/assets/chart.umd.js" defer></script>
        <script src="/console/assets/console.js" defer></script>
      </head>
      <body hx-headers='{"x-csrf-token": "${ctx.csrf}"}'>
        <a class="skip" href="#main">${t('skipToContent')}</a>
        <header>
          <a class="brand" href="/console/">${t('appName')}</a>
          ${nav}
          <a class="lang" href="${ctx.path}?lang=${other}" hreflang="${other}" lang="${other}"
            >${other === 'en' ? 'English' : 'Tiếng Việt'}</a
          >
        </header>
        <main id="main" tabindex="-1">
          <h1>${title}</h1>
          ${body}
        </main>
      </body>
    </html>`;
}

/** A field's error next to it, linked for screen readers (aria-describedby="<id>-error"). */
export function fieldError(id: string, message: string | undefined): Html {
  return message ? html`<p class="field-error" id="${id}-error" role="alert">${message}</p>` : html``;
}

export function describedBy(id: string, message: string | undefined): Html {
  return message ? html` aria-invalid="true" aria-describedby="${id}-error"` : html``;
}

/**
 * A labelled text input in a `<div>` (what a filter row or a narrow form holds): its error, when
 * given, next to it and linked for screen readers.
 */
export function textField(
  field: { id: string; name?: string; label: string; value: string | undefined },
  options: { numeric?: boolean; maxlength?: number; autocomplete?: 'off'; error?: string } = {},
): Html {
  return html`<div>
    <label for="${field.id}">${field.label}</label>
    <input
      id="${field.id}"
      name="${field.name ?? field.id}"
      value="${field.value ?? ''}"
      ${
        options.numeric ? html` inputmode="numeric"` : ''
      }${options.maxlength ? html` maxlength="${options.maxlength}"` : ''}${
        options.autocomplete ? html` autocomplete="${options.autocomplete}"` : ''
      }${describedBy(field.id, options.error)}
    />
    ${fieldError(field.id, options.error)}
  </div>`;
}
