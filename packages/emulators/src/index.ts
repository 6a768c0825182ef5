export { FaultInjector, echoedRequest, type AnsweringFaultKind, type FaultKind, type FaultRule } from './common/faults.ts';
export type { ExchangeObserver, ObservedExchange } from './common/observer.ts';
export { EmulatorHttpServer, type EmulatorHandler, type EmulatorRequest, type EmulatorResponse, type ListenOptions } from './common/http-server.ts';
export * from './cloudwatch/index.ts';
export * from './huawei-lts/index.ts';
export * from './scp-servicewatch/index.ts';
export { EmulatorConsole, type EmulatorConsoleOptions } from './console/server.ts';
