/** Text data: tokenisation, vocabularies, n-gram windows. */
export * from './vocab.js';
export * from './windows.js';
