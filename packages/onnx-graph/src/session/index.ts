export { OnnxSession, type SessionStats } from './onnx-session.js';
export type { SessionOptions } from './options.js';
export type { SessionInputInfo, SessionOutputInfo, SessionDim } from './value-info.js';
export { castFloatTensor } from './cast.js';
export { openSessionCount } from './native-sessions.js';
export {
  SessionError,
  SessionCreateError,
  SessionFeedError,
  SessionRunError,
  SessionReleasedError,
  UnknownSessionInputError,
  TensorCastError,
} from './errors.js';
