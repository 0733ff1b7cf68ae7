/**
 * The actions of the audit trail, written once: the writers name them and the readers (who
 * looked a citizen up) filter on them, so a renamed action cannot silently empty a listing.
 */
export const AuditAction = {
  CoverageLookup: 'coverage.lookup',
  BirthSubmitted: 'civil-event.birth.submit',
  DeathSubmitted: 'civil-event.death.submit',
  /** A registration revoked or corrected by an office (the amendment's filing). */
  RegistrationRevoked: 'civil-event.registration.revoke',
  RegistrationCorrected: 'civil-event.registration.correct',
  ProcedureRetried: 'civil-event.procedure.retry',
  ProcedureResolved: 'civil-event.procedure.resolve',
  ChildCardIssued: 'insurance.card.issue',
  CoverageEnded: 'insurance.death.record',
  PayoutOrdered: 'insurance.payout.order',
  /** What an amendment compensated: a death undone or moved, a payout cancelled or re-decided, a card redone. */
  CoverageReinstated: 'insurance.death.revoke',
  DeathDateCorrected: 'insurance.death.correct',
  PayoutCancelled: 'insurance.payout.cancel',
  FuneralReassessed: 'insurance.payout.reassess',
  PayoutPaid: 'insurance.payout.paid',
  ChildCardCancelled: 'insurance.card.cancel',
  ChildCardReissued: 'insurance.card.reissue',
  RunStarted: 'reconciliation.run.start',
  RunCancelled: 'reconciliation.run.cancel',
  FindingApplied: 'reconciliation.finding.apply',
  FindingsApplied: 'reconciliation.findings.apply',
  /** An operator's application of findings, queued for the worker (which writes the records). */
  FindingsApplicationQueued: 'reconciliation.findings.queue',
  /** Reads of a person's data other than a lookup: each names the person read. */
  ProcedureRead: 'civil-event.procedure.read',
  FindingRead: 'reconciliation.finding.read',
  /** A reviewer's decision on a finding in the workbench (accepting one applies it as well). */
  FindingAccepted: 'reconciliation.finding.accept',
  FindingRejected: 'reconciliation.finding.reject',
  /** FindCandidates answered with this citizen among the candidates of a demographic record. */
  CandidateFound: 'reconciliation.candidate.find',
  /** FindCandidates itself: what was searched, and the finding or record it was for. */
  CandidatesSearched: 'reconciliation.candidates.search',
  /** An administrator read a citizen's access history (this listing is itself history). */
  AccessHistoryRead: 'audit.history.read',
  /** An officer opened a person's page in the console, or printed their access report. */
  PersonViewed: 'console.person.view',
  AccessReportPrinted: 'console.person.report',
  /** Something held for a second person (maker–checker), and the approver's decision. */
  ApprovalRequested: 'approval.request',
  ApprovalGranted: 'approval.approve',
  ApprovalRefused: 'approval.reject',
  /** The console: an operator signed in, was refused, signed out, set up their account. */
  ConsoleSignIn: 'console.sign-in',
  ConsoleSignInRefused: 'console.sign-in.refuse',
  ConsoleSignOut: 'console.sign-out',
  ConsoleEnrolled: 'console.enrol',
  /** Who may call, changed by a security administrator in the console. */
  CallerKeyIssued: 'caller.key.issue',
  CallerKeyRequested: 'caller.key.request',
  CallerKeyRevoked: 'caller.key.revoke',
  CallerKeyRotated: 'caller.key.rotate',
  CallerOperatorAdded: 'caller.operator.add',
  CallerRolesChanged: 'caller.operator.roles',
  CallerRolesRequested: 'caller.operator.roles.request',
  CallerOperatorDisabled: 'caller.operator.disable',
  CallerFactorsReset: 'caller.operator.enrol',
  CallerCertificateIssued: 'caller.certificate.issue',
  CallerCertificateRevoked: 'caller.certificate.revoke',
} as const;

export type AuditAction = (typeof AuditAction)[keyof typeof AuditAction];
