// One error type for everything that can go wrong while loading or running a checkpoint, so the
// UI and the CLI can show `message` as is and branch on `code` (e.g. offer "retry" only when offline).

export type ModelErrorCode =
  | 'not_found' // a required file is not in the checkpoint
  | 'offline' // the network request itself failed
  | 'http' // the server answered with an unexpected status
  | 'gated' // 401/403: private or gated Hugging Face repo
  | 'malformed' // a file exists but cannot be parsed
  | 'mismatch' // weights and config (or input and model) disagree
  | 'unsupported' // valid, but something this playground does not implement
  | 'numeric'; // a run gave NaN or infinite values

export class ModelError extends Error {
  readonly code: ModelErrorCode;

  constructor(code: ModelErrorCode, message: string) {
    super(message);
    this.name = 'ModelError';
    this.code = code;
  }
}
