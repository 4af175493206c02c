/**
 * What a plugin author needs in their tests: the provider contract suite and the scripted gateway it
 * runs against. Import from `@otpledger/plugin-kit/testing`; nothing here is loaded by the server.
 */
export * from './contract.js';
export { startScriptedGateway, closeGatewayServer, type GatewayMode, type GatewayRequest, type GatewayAnswer, type ScriptedGateway, type ScriptedGatewayOptions } from './scriptedGateway.js';
