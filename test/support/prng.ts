// The emulators' seeded PRNG, for generated test and bench data.
export { mulberry32 } from '../../packages/emulators/src/common/prng.ts';
