/**
 * What a plugin author needs in their tests: the provider contract suite, the scripted gateway it runs
 * against, and the settings validator otpledger uses. Import from `@otpledger/plugin-kit/testing`; the
 * server never loads this module.
 *
 * @example
 * import { smsProviderContract, startScriptedGateway } from '@otpledger/plugin-kit/testing';
 */
export { smsProviderContract, type ContractGateway, type ScriptedGatewayHarness, type SmsProviderContractOptions } from './contract.js';
export type { TestRunner } from './contractRunner.js';
export { compileConfigSchema, ConfigValidationError } from './configValidation.js';
export { directEgress } from './egress.js';
export {
  startScriptedGateway,
  closeGatewayServer,
  type GatewayMode,
  type GatewayRequest,
  type GatewayAnswer,
  type ScriptedGateway,
  type ScriptedGatewayOptions,
} from './scriptedGateway.js';
