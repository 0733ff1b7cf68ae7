import type { ApiKeys, CertificateRow } from '@vss/api-keys';
import type { CivilRegistryOffice, Operator } from '@vss/authority';
import { OPERATOR_ROLES, ROLES } from '@vss/domain';
import { type Html, html } from '../views/html';
import { formGuards, layout, type PageContext, textField } from '../views/page';
import { table } from '../views/table';
import type { CallerChange } from './callers.service';

export type CallersTab = 'keys' | 'certificates' | 'operators' | 'limits' | 'offices';
export const CALLERS_TABS: readonly CallersTab[] = ['keys', 'certificates', 'operators', 'limits', 'offices'];

/** A key as the list shows it (ApiKeys.list). */
export type KeyRow = Awaited<ReturnType<ApiKeys['list']>>[number];

/** A client certificate as the list shows it. */
export type CertificateView = CertificateRow;

export interface LimitsOverview {
  overrides: Array<{ callerId: string; limits: string; note: string | null }>;
  usedToday: Array<{ holder: string; used: number }>;
  refusals: Array<{ callerId: string; limit: string; count: number }>;
}

export interface CallersData {
  tab: CallersTab;
  keys?: { rows: readonly KeyRow[]; total: number; role: string; q: string };
  operators?: readonly Operator[];
  certificates?: { rows: readonly CertificateView[]; signs: boolean };
  limits?: LimitsOverview;
  offices?: readonly CivilRegistryOffice[];
  facilities?: {
    province: string;
    rows: ReadonlyArray<{ facilityCode: string; name: string; level: string; address: string }>;
  };
  /** What the last change did (a key shown once, an enrolment link, an approval asked for). */
  change?: CallerChange;
  error?: { field?: string; message: string };
  /** A form's values to show again after a refusal. */
  form?: Record<string, string | undefined>;
}

const when = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') : '');

function tabs(ctx: PageContext, current: CallersTab): Html {
  const { t } = ctx;
  const label: Record<CallersTab, string> = {
    keys: t('apiKeys'),
    certificates: t('certificates'),
    operators: t('operators'),
    limits: t('limitsAndUsage'),
    offices: t('facilitiesAndOffices'),
  };
  return html`<nav class="tabs" aria-label="${t('callers')}">
    ${CALLERS_TABS.map(
      (tab) =>
        html`<a href="/console/callers?tab=${tab}" ${tab === current ? html` aria-current="page"` : ''}
          >${label[tab]}</a
        >`,
    )}
  </nav>`;
}

function changeNotice(ctx: PageContext, change: CallerChange | undefined): Html {
  const { t } = ctx;
  if (!change) return html``;
  const approval = (id: string | undefined) =>
    id
      ? html`<p>
          ${t('waitsForSecondAdmin')} <a href="/console/approvals/${id}" id="change-approval">${id}</a>
        </p>`
      : '';
  if (change.kind === 'key') {
    return html`<div class="notice" id="change" role="status">
      <p><strong>${t('keyShownOnce')}</strong></p>
      <p><code class="secret" id="issued-key">${change.apiKey}</code></p>
      <p class="muted">${t('keyId')}: <code id="issued-key-id">${change.keyId}</code></p>
      ${approval(change.approvalId)}
    </div>`;
  }
  if (change.kind === 'certificate') {
    return html`<div class="notice" id="change" role="status">
      <p>
        <strong>${t('certificateIssued')}</strong> <code id="issued-serial">${change.serialNumber}</code> ·
        ${change.subject}
      </p>
      <label for="issued-certificate">${t('certificatePem')}</label>
      <textarea id="issued-certificate" rows="8" readonly>${change.certificatePem}</textarea>
    </div>`;
  }
  if (change.kind === 'enrolment') {
    return html`<div class="notice" id="change" role="status">
      <p><strong>${t('enrolmentLinkFor')} ${change.login}</strong> — ${t('enrolmentLinkHelp')}</p>
      <p><code class="secret" id="enrolment-link">${change.link}</code></p>
      ${approval(change.approvalId)}
    </div>`;
  }
  if (change.kind === 'approval') {
    return html`<div class="notice" id="change" role="status">${approval(change.approvalId)}</div>`;
  }
  return html`<div class="notice" id="change" role="status"><p>${change.message}</p></div>`;
}

function keysTab(ctx: PageContext, data: CallersData): Html {
  const { t } = ctx;
  const keys = data.keys!;
  const f = data.form ?? {};
  const roleOption = (value: string, selected: string | undefined) =>
    html`<option value="${value}" ${selected === value ? html` selected` : ''}>${value}</option>`;
  const state = (k: KeyRow) =>
    k.revoked_at
      ? t('revoked')
      : k.expires_at && k.expires_at.getTime() < Date.now()
        ? t('expired')
        : t('valid');
  return html`<section class="card" aria-labelledby="issue-heading">
      <h2 id="issue-heading">${t('issueKey')}</h2>
      <form method="post" action="/console/callers/keys" id="issue-key" class="filters">
        ${formGuards(ctx)}
        <div>
          <label for="role">${t('callerRole')}</label>
          <select id="role" name="role">
            ${ROLES.map((r) => roleOption(r, f.role ?? 'clinic'))}
          </select>
        </div>
        ${textField({ id: 'facility_code', label: t('facilityCode'), value: f.facility_code }, { numeric: true, maxlength: 5 })}
        ${textField({ id: 'office_code', label: t('officeCode'), value: f.office_code })}
        ${textField({ id: 'operator_login', label: t('operatorLogin'), value: f.operator_login })}
        ${textField({ id: 'label', label: t('keyLabel'), value: f.label })}
        ${textField({ id: 'days', label: t('validDays'), value: f.days }, { numeric: true, maxlength: 4 })}
        <button type="submit" id="issue">${t('issue')}</button>
      </form>
      <p class="muted">${t('adminKeyNote')}</p>
    </section>
    <form method="get" action="/console/callers" class="filters">
      <input type="hidden" name="tab" value="keys" />
      <div>
        <label for="filter-role">${t('callerRole')}</label>
        <select id="filter-role" name="role">
          <option value="">${t('all')}</option>
          ${ROLES.map((r) => roleOption(r, keys.role))}
        </select>
      </div>
      ${textField({ id: 'q', label: t('search'), value: keys.q })}
      <button type="submit">${t('filter')}</button>
    </form>
    <p class="muted">${keys.rows.length} ${t('of')} ${keys.total}</p>
    ${table(
      [
        t('keyId'),
        t('callerRole'),
        t('boundTo'),
        t('keyLabel'),
        t('createdAt'),
        t('expires'),
        t('lastUsed'),
        t('state'),
        t('actions'),
      ],
      keys.rows.map(
        (k) =>
          html`<tr data-key="${k.key_id}">
            <td><code>${k.key_id}</code></td>
            <td>${k.role}</td>
            <td>${k.facility_code ?? k.office_code ?? k.operator ?? ''}</td>
            <td>${k.label}</td>
            <td>${when(k.created_at)}</td>
            <td>${when(k.expires_at)}</td>
            <td>${when(k.last_used_at)}</td>
            <td>${state(k)}</td>
            <td>
              ${
                k.revoked_at
                  ? ''
                  : html`<form
                        method="post"
                        action="/console/callers/keys/${k.key_id}/revoke"
                        class="inline-form"
                      >
                        ${formGuards(ctx)}<button type="submit" class="link" id="revoke-${k.key_id}">
                          ${t('revoke')}
                        </button>
                      </form>
                      ${
                        k.role === 'admin'
                          ? ''
                          : html`<form
                              method="post"
                              action="/console/callers/keys/${k.key_id}/rotate"
                              class="inline-form"
                            >
                              ${formGuards(ctx)}<input type="hidden" name="grace_hours" value="24" /><button
                                type="submit"
                                class="link"
                              >
                                ${t('rotate')}
                              </button>
                            </form>`
                      }`
              }
            </td>
          </tr>`,
      ),
      { id: 'keys', empty: t('none') },
    )}`;
}

function certificatesTab(ctx: PageContext, data: CallersData): Html {
  const { t } = ctx;
  const f = data.form ?? {};
  const certificates = data.certificates!;
  const option = (value: string) =>
    html`<option value="${value}" ${(f.role ?? 'clinic') === value ? html` selected` : ''}>${value}</option>`;
  return html`<section class="card" aria-labelledby="csr-heading">
      <h2 id="csr-heading">${t('issueCertificate')}</h2>
      <p class="muted">${certificates.signs ? t('csrHelp') : t('csrElsewhere')}</p>
      <form method="post" action="/console/callers/certificates" id="issue-certificate">
        ${formGuards(ctx)}
        <div class="filters">
          <div>
            <label for="cert-role">${t('callerRole')}</label>
            <select id="cert-role" name="role">
              ${option('clinic')} ${option('civil-registry')}
            </select>
          </div>
          ${textField(
            { id: 'cert-facility', name: 'facility_code', label: t('facilityCode'), value: f.facility_code },
            { numeric: true, maxlength: 5 },
          )}
          ${textField({ id: 'cert-office', name: 'office_code', label: t('officeCode'), value: f.office_code })}
          ${textField({ id: 'member', label: t('member'), value: f.member })}
          ${textField({ id: 'subsystem', label: t('subsystem'), value: f.subsystem })}
          ${textField({ id: 'cert-days', name: 'days', label: t('validDays'), value: f.days }, { numeric: true, maxlength: 3 })}
        </div>
        <label for="csr">${t('csr')}</label>
        <textarea id="csr" name="csr" rows="8" spellcheck="false">${f.csr ?? ''}</textarea>
        <button type="submit" id="issue-cert">${t('issue')}</button>
      </form>
    </section>
    ${table(
      [
        t('serialNumber'),
        t('subject'),
        t('callerRole'),
        t('boundTo'),
        t('expires'),
        t('state'),
        t('actions'),
      ],
      certificates.rows.map(
        (c) =>
          html`<tr data-serial="${c.serial_number}">
            <td><code>${c.serial_number}</code></td>
            <td>${c.subject}</td>
            <td>${c.role}</td>
            <td>${c.facility_code ?? c.office_code ?? ''}</td>
            <td>${when(c.not_after)}</td>
            <td>
              ${c.revoked_at ? t('revoked') : c.not_after.getTime() < Date.now() ? t('expired') : t('valid')}
            </td>
            <td>
              ${
                c.revoked_at
                  ? ''
                  : html`<form
                      method="post"
                      action="/console/callers/certificates/${c.serial_number}/revoke"
                      class="inline-form"
                    >
                      ${formGuards(ctx)}<button
                        type="submit"
                        class="link"
                        id="revoke-cert-${c.serial_number}"
                      >
                        ${t('revoke')}
                      </button>
                    </form>`
              }
            </td>
          </tr>`,
      ),
      { id: 'certificates', empty: t('none') },
    )}`;
}

function roleBoxes(ctx: PageContext, idPrefix: string, checked: readonly string[]): Html {
  return html`<fieldset>
    <legend>${ctx.t('operatorRoles')}</legend>
    ${OPERATOR_ROLES.map(
      (r) =>
        html`<label class="inline"
          ><input
            type="checkbox"
            name="roles"
            value="${r}"
            id="${idPrefix}-${r}"
            ${checked.includes(r) ? html` checked` : ''}
          />
          ${r}</label
        >`,
    )}
  </fieldset>`;
}

function operatorsTab(ctx: PageContext, data: CallersData): Html {
  const { t } = ctx;
  const f = data.form ?? {};
  return html`<section class="card" aria-labelledby="add-heading">
      <h2 id="add-heading">${t('addOperator')}</h2>
      <form method="post" action="/console/callers/operators" id="add-operator" class="narrow">
        ${formGuards(ctx)}
        ${textField({ id: 'login', label: t('login'), value: f.login }, { autocomplete: 'off' })}
        ${textField({ id: 'display_name', label: t('displayName'), value: f.display_name })}
        ${roleBoxes(ctx, 'new', (f.roles ?? '').split(','))}
        <button type="submit" id="add">${t('add')}</button>
      </form>
    </section>
    ${table(
      [t('login'), t('displayName'), t('operatorRoles'), t('state'), t('actions')],
      (data.operators ?? []).map(
        (o) =>
          html`<tr data-operator="${o.login}">
            <td>${o.login}</td>
            <td>${o.displayName}</td>
            <td>
              ${
                o.active
                  ? html`<form method="post" action="/console/callers/operators/${o.login}/roles">
                      ${formGuards(ctx)} ${roleBoxes(ctx, `roles-${o.login}`, o.roles)}
                      <button type="submit" class="link" id="save-roles-${o.login}">${t('saveRoles')}</button>
                    </form>`
                  : o.roles.join(', ')
              }
            </td>
            <td>${o.active ? t('active') : t('disabled')}</td>
            <td>
              ${
                o.active
                  ? html`<form
                        method="post"
                        action="/console/callers/operators/${o.login}/enrol"
                        class="inline-form"
                      >
                        ${formGuards(ctx)}<button type="submit" class="link" id="enrol-${o.login}">
                          ${t('newEnrolment')}
                        </button>
                      </form>
                      <form
                        method="post"
                        action="/console/callers/operators/${o.login}/disable"
                        class="inline-form"
                      >
                        ${formGuards(ctx)}<button type="submit" class="link" id="disable-${o.login}">
                          ${t('disable')}
                        </button>
                      </form>`
                  : ''
              }
            </td>
          </tr>`,
      ),
      { id: 'operators', empty: t('none') },
    )}`;
}

function limitsTab(ctx: PageContext, limits: LimitsOverview): Html {
  const { t } = ctx;
  return html`<h2>${t('limitsSet')}</h2>
    ${table(
      [t('caller'), t('limits'), t('note')],
      limits.overrides.map(
        (o) =>
          html`<tr>
            <td><code>${o.callerId}</code></td>
            <td><code>${o.limits}</code></td>
            <td>${o.note ?? ''}</td>
          </tr>`,
      ),
      { id: 'limits', empty: t('limitsDefault') },
    )}
    <h2>${t('usedToday')}</h2>
    ${table(
      [t('quotaHolder'), { label: t('used'), numeric: true }],
      limits.usedToday.map(
        (u) =>
          html`<tr>
            <td><code>${u.holder}</code></td>
            <td class="num">${u.used}</td>
          </tr>`,
      ),
      { id: 'usage', empty: t('none') },
    )}
    <h2>${t('refusalsByCaller')}</h2>
    <p class="muted">${t('refusalsNote')}</p>
    ${table(
      [t('caller'), t('limit'), { label: t('count'), numeric: true }],
      limits.refusals.map(
        (r) =>
          html`<tr>
            <td><code>${r.callerId}</code></td>
            <td>${r.limit}</td>
            <td class="num">${r.count}</td>
          </tr>`,
      ),
      { id: 'refusals', empty: t('none') },
    )}`;
}

function officesTab(ctx: PageContext, data: CallersData): Html {
  const { t } = ctx;
  const province = data.facilities?.province ?? '';
  return html`<form method="get" action="/console/callers" class="filters">
      <input type="hidden" name="tab" value="offices" />
      ${textField({ id: 'province', label: t('provinceCode'), value: province }, { numeric: true, maxlength: 3 })}
      <button type="submit">${t('filter')}</button>
    </form>
    <h2>${t('facilities')}</h2>
    ${table(
      [t('facilityCode'), t('name'), t('level'), t('address')],
      (data.facilities?.rows ?? []).map(
        (f) =>
          html`<tr>
            <td><code>${f.facilityCode}</code></td>
            <td>${f.name}</td>
            <td>${f.level}</td>
            <td>${f.address}</td>
          </tr>`,
      ),
      { id: 'facilities', empty: t('none') },
    )}
    <h2>${t('offices')}</h2>
    ${table(
      [t('officeCode'), t('name'), t('level'), t('province'), t('state')],
      (data.offices ?? [])
        .filter((o) => !province || o.provinceCode === province)
        .map(
          (o) =>
            html`<tr>
              <td><code>${o.officeCode}</code></td>
              <td>${o.name}</td>
              <td>${o.level}</td>
              <td>${o.provinceCode}</td>
              <td>${o.active ? t('active') : t('disabled')}</td>
            </tr>`,
        ),
      { id: 'offices', empty: t('none') },
    )}`;
}

export function callersPage(ctx: PageContext, data: CallersData): Html {
  const { t } = ctx;
  const body =
    data.tab === 'keys'
      ? keysTab(ctx, data)
      : data.tab === 'certificates'
        ? certificatesTab(ctx, data)
        : data.tab === 'operators'
          ? operatorsTab(ctx, data)
          : data.tab === 'limits'
            ? limitsTab(ctx, data.limits!)
            : officesTab(ctx, data);
  return layout(
    ctx,
    t('callers'),
    html`${tabs(ctx, data.tab)} ${changeNotice(ctx, data.change)}
    ${
      data.error
        ? html`<div class="notice error" role="alert" id="change-error">
            <p>
              ${data.error.field ? html`<strong>${data.error.field}</strong>: ` : ''}${data.error.message}
            </p>
          </div>`
        : ''
    }
    ${body}`,
  );
}
