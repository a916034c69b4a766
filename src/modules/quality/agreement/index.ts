// The only door into inter-annotator agreement: pure functions over units x coders data.
export { reliabilityData, type Coded, type ReliabilityData } from './reliability-data.ts';
export { percentAgreement } from './percent-agreement.ts';
export { cohenKappa, cohenKappaFromTable } from './cohen-kappa.ts';
export { fleissKappa, fleissKappaFromCounts } from './fleiss-kappa.ts';
export { krippendorffAlpha, type AlphaLevel, type AlphaOptions } from './krippendorff-alpha.ts';
