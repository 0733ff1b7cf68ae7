export { registerTrust as registerTestTrust } from '../../tools/trust';
