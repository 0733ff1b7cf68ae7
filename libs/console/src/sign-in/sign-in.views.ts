import { type Html, html, raw } from '../views/html';
import { describedBy, fieldError, formGuards, layout, type PageContext } from '../views/page';

export interface SignInForm {
  login?: string;
  error?: string;
  notice?: 'signed-out' | 'ended' | 'enrolled';
}

export function signInPage(ctx: PageContext, form: SignInForm): Html {
  const { t } = ctx;
  const notice =
    form.notice === 'signed-out'
      ? t('signedOut')
      : form.notice === 'ended'
        ? t('sessionEnded')
        : form.notice === 'enrolled'
          ? t('enrolled')
          : undefined;
  return layout(
    ctx,
    t('signIn'),
    html`<p>${t('signInIntro')}</p>
      ${notice ? html`<div class="notice" role="status"><p>${notice}</p></div>` : ''}
      ${form.error ? html`<div class="notice error" role="alert" id="sign-in-error"><p>${form.error}</p></div>` : ''}
      <form method="post" action="/console/sign-in" class="narrow">
        ${formGuards(ctx)}
        <label for="login">${t('login')}</label>
        <input
          id="login"
          name="login"
          autocomplete="username"
          required
          maxlength="64"
          value="${form.login ?? ''}"
          autofocus${describedBy('sign-in', form.error)}
        />
        <label for="password">${t('password')}</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          maxlength="200"
        />
        <label for="code">${t('code')}</label>
        <input
          id="code"
          name="code"
          inputmode="numeric"
          autocomplete="one-time-code"
          pattern="[0-9]{6}"
          required
          maxlength="6"
        />
        <button type="submit">${t('signIn')}</button>
      </form>`,
  );
}

export interface EnrolForm {
  displayName: string;
  login: string;
  secret: string;
  qrSvg: string;
  token: string;
  errors: { password?: string; code?: string };
}

export function enrolPage(ctx: PageContext, form: EnrolForm): Html {
  const { t } = ctx;
  const grouped = form.secret.replace(/(.{4})/g, '$1 ').trim();
  return layout(
    ctx,
    t('enrol'),
    html`<p><strong>${form.displayName}</strong> (${form.login})</p>
      <p>${t('enrolIntro')}</p>
      <div class="enrol">
        <figure class="qr" aria-label="QR">${raw(form.qrSvg)}</figure>
        <p>${t('totpKey')}: <code class="secret" data-secret="${form.secret}">${grouped}</code></p>
      </div>
      <form method="post" action="/console/enrol/${form.token}" class="narrow">
        ${formGuards(ctx)}
        <label for="password">${t('newPassword')}</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="new-password"
          required
          minlength="12"
          maxlength="200"
          ${describedBy('password', form.errors.password)}
        />
        ${fieldError('password', form.errors.password)}
        <label for="code">${t('code')}</label>
        <input
          id="code"
          name="code"
          inputmode="numeric"
          autocomplete="one-time-code"
          pattern="[0-9]{6}"
          required
          maxlength="6"
          ${describedBy('code', form.errors.code)}
        />
        ${fieldError('code', form.errors.code)}
        <button type="submit">${t('enrol')}</button>
      </form>`,
  );
}
