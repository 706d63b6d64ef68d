// The embedded default model is shared with the web demo, so it lives in @perfusion/toymodel.
export { ensureDefaultModel, type DefaultModel } from '@perfusion/toymodel/default-model';
