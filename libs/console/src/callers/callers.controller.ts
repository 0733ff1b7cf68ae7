import { Body, Controller, Get, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PersonService } from '@vss/coverage';
import { AppError, ErrorClass, httpStatusOf } from '@vss/platform';
import { callerOf, SignedIn } from '@vss/security';
import { ConsoleErrorFilter } from '../console-error.filter';
import { CsrfGuard } from '../sessions/csrf.guard';
import { send } from '../sign-in/sign-in.controller';
import { pageContext } from '../views/page';
import { type CallerChange, CallersService, parseRoles } from './callers.service';
import { type CallersData, type CallersTab, CALLERS_TABS, callersPage } from './callers.views';

type Form = Record<string, string | string[] | undefined>;

/** Keys shown at once: the list is filtered to find one among thousands of clinics' keys. */
const KEYS_SHOWN = 200;

const one = (value: string | string[] | undefined): string => (Array.isArray(value) ? value[0] : value) ?? '';
const many = (value: string | string[] | undefined): string[] =>
  Array.isArray(value) ? value : value ? [value] : [];

/**
 * Callers and credentials, for security administrators only: API keys (issue, revoke, rotate,
 * with their last use and expiry), operators (add, roles, disable, a new enrolment link),
 * limits with today's use and refusals, and the civil registry offices. Changes that grant
 * admin rights wait for a second security administrator (CallersService).
 */
@Controller('console/callers')
@UseFilters(ConsoleErrorFilter)
@UseGuards(CsrfGuard)
export class CallersPagesController {
  constructor(
    private readonly callers: CallersService,
    private readonly people: PersonService,
  ) {}

  @Get()
  @SignedIn('security-admin')
  async show(
    @Req() req: Request,
    @Res() res: Response,
    @Query('tab') tab?: string,
    @Query('role') role?: string,
    @Query('q') q?: string,
    @Query('province') province?: string,
  ): Promise<void> {
    const current = (CALLERS_TABS as readonly string[]).includes(tab ?? '') ? (tab as CallersTab) : 'keys';
    await this.render(
      req,
      res,
      200,
      { tab: current },
      { role: role ?? '', q: q ?? '', province: province ?? '001' },
    );
  }

  @Post('keys')
  @SignedIn('security-admin')
  async issue(@Req() req: Request, @Res() res: Response, @Body() body: Form): Promise<void> {
    await this.change(req, res, 'keys', body, () =>
      this.callers.issueKey(callerOf(req), {
        role: one(body.role),
        facilityCode: one(body.facility_code),
        officeCode: one(body.office_code),
        operatorLogin: one(body.operator_login),
        label: one(body.label),
        days: one(body.days),
      }),
    );
  }

  @Post('keys/:id/revoke')
  @SignedIn('security-admin')
  async revoke(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    await this.change(req, res, 'keys', {}, () => this.callers.revokeKey(callerOf(req), id));
  }

  @Post('keys/:id/rotate')
  @SignedIn('security-admin')
  async rotate(
    @Req() req: Request,
    @Res() res: Response,
    @Param('id') id: string,
    @Body() body: Form,
  ): Promise<void> {
    await this.change(req, res, 'keys', {}, () =>
      this.callers.rotateKey(callerOf(req), id, Number(one(body.grace_hours) || '24')),
    );
  }

  @Post('certificates')
  @SignedIn('security-admin')
  async certificate(@Req() req: Request, @Res() res: Response, @Body() body: Form): Promise<void> {
    await this.change(req, res, 'certificates', body, () =>
      this.callers.issueCertificate(callerOf(req), {
        csr: one(body.csr),
        role: one(body.role),
        facilityCode: one(body.facility_code),
        officeCode: one(body.office_code),
        member: one(body.member),
        subsystem: one(body.subsystem),
        days: one(body.days),
      }),
    );
  }

  @Post('certificates/:serial/revoke')
  @SignedIn('security-admin')
  async revokeCertificate(
    @Req() req: Request,
    @Res() res: Response,
    @Param('serial') serial: string,
  ): Promise<void> {
    await this.change(req, res, 'certificates', {}, () =>
      this.callers.revokeCertificate(callerOf(req), serial),
    );
  }

  @Post('operators')
  @SignedIn('security-admin')
  async add(@Req() req: Request, @Res() res: Response, @Body() body: Form): Promise<void> {
    await this.change(req, res, 'operators', body, () =>
      this.callers.addOperator(
        callerOf(req),
        { login: one(body.login), displayName: one(body.display_name), roles: parseRoles(many(body.roles)) },
        baseUrlOf(req),
      ),
    );
  }

  @Post('operators/:login/roles')
  @SignedIn('security-admin')
  async roles(
    @Req() req: Request,
    @Res() res: Response,
    @Param('login') login: string,
    @Body() body: Form,
  ): Promise<void> {
    await this.change(req, res, 'operators', {}, () =>
      this.callers.setRoles(callerOf(req), login, parseRoles(many(body.roles))),
    );
  }

  @Post('operators/:login/disable')
  @SignedIn('security-admin')
  async disable(@Req() req: Request, @Res() res: Response, @Param('login') login: string): Promise<void> {
    await this.change(req, res, 'operators', {}, () => this.callers.disable(callerOf(req), login));
  }

  @Post('operators/:login/enrol')
  @SignedIn('security-admin')
  async enrol(@Req() req: Request, @Res() res: Response, @Param('login') login: string): Promise<void> {
    await this.change(req, res, 'operators', {}, () =>
      this.callers.resetFactors(callerOf(req), login, baseUrlOf(req)),
    );
  }

  /**
   * Makes a change and shows its tab with what it did — a key or a link is shown this once,
   * never stored to be shown again —, or with the refusal and the form as it was typed.
   */
  private async change(
    req: Request,
    res: Response,
    tab: CallersTab,
    body: Form,
    work: () => Promise<CallerChange>,
  ): Promise<void> {
    try {
      const change = await work();
      await this.render(req, res, 200, { tab, change });
    } catch (error) {
      if (
        !(error instanceof AppError) ||
        (error.errorClass !== ErrorClass.InvalidArgument &&
          error.errorClass !== ErrorClass.FailedPrecondition)
      ) {
        throw error;
      }
      const form: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(body))
        if (name !== '_csrf') form[name] = many(value).join(',');
      await this.render(req, res, httpStatusOf(error.errorClass), {
        tab,
        error: { field: error.field, message: error.message },
        form,
      });
    }
  }

  private async render(
    req: Request,
    res: Response,
    status: number,
    data: Omit<CallersData, 'keys' | 'operators' | 'limits' | 'offices'>,
    filter: { role: string; q: string; province?: string } = { role: '', q: '' },
  ): Promise<void> {
    const page: CallersData = { ...data };
    if (data.tab === 'keys') {
      const all = await this.callers.listKeys();
      const q = filter.q.trim().toLowerCase();
      const rows = all
        .filter((k) => !filter.role || k.role === filter.role)
        .filter(
          (k) =>
            !q ||
            [k.key_id, k.label, k.facility_code, k.office_code, k.operator].some((v) =>
              (v ?? '').toLowerCase().includes(q),
            ),
        )
        .reverse();
      page.keys = { rows: rows.slice(0, KEYS_SHOWN), total: all.length, role: filter.role, q: filter.q };
    } else if (data.tab === 'certificates') {
      page.certificates = {
        rows: [...(await this.callers.listCertificates())].reverse(),
        signs: this.callers.signsCertificates,
      };
    } else if (data.tab === 'operators') {
      page.operators = await this.callers.listOperators();
    } else if (data.tab === 'limits') {
      page.limits = await this.callers.limitsOverview();
    } else {
      const province = filter.province ?? '001';
      page.offices = await this.callers.listOffices();
      page.facilities = { province, rows: await this.people.facilities(province) };
    }
    send(res, status, callersPage(pageContext(req), page).text);
  }
}

/** The console's own address, as the browser reached it: enrolment links point there. */
function baseUrlOf(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}
