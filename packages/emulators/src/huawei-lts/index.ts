export { HuaweiLtsEmulator, HUAWEI_LTS_EMULATOR_DEFAULTS, type HuaweiLtsEmulatorOptions, type HuaweiLtsStoredLine } from './emulator.ts';
export type { EmulatorUser, HuaweiLtsEmulatorSettings } from './operations/context.ts';
export { verifySignature, type EmulatorAkSk, type SignatureVerdict } from './signature.ts';
export type { StoredLine as HuaweiLtsLine, LogtankStatus as HuaweiLogtankStatus } from './state.ts';
