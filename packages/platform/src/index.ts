export * from './port.js';
export { openLocalPlatform } from './local/platform.js';
export type { FaultPoint, LocalPlatformOptions } from './local/context.js';
