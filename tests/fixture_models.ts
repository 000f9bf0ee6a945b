// The parity fixtures under tests/fixtures/models, listed once for the Node and the browser parity runs.

export const TEXT_FIXTURES = [
  'bert-tiny',
  'bert-tiny-legacy-f16',
  'bert-tiny-base-only',
  'distilbert-tiny',
  'roberta-tiny',
  'albert-tiny',
  'electra-tiny-discriminator',
  'electra-tiny-generator',
];

export const VIT_FIXTURES = ['vit-tiny', 'vit-tiny-grey-bf16', 'deit-tiny-distilled'];
