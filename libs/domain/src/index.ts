/** Pure rules of the VSS Interchange Gateway: identities, names, coverage, benefits and rates. No I/O. */
export * from './result';
export * from './dates';
export * from './provinces';
export * from './digits';
export * from './uuid';
export * from './citizen-id';
export * from './legacy-id';
export * from './social-insurance-code';
export * from './qr-payload';
export * from './names';
export * from './object-groups';
export * from './child-card';
export * from './coverage';
export * from './rates';
export * from './benefit-rules';
export * from './benefits';
export * from './matching';
