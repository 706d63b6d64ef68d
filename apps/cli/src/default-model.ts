// The embedded default model is shared with the web demo, so it lives in @perfusion/fixtures.
export { ensureDefaultModel, type DefaultModel } from '@perfusion/fixtures';
