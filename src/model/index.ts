export * from './common.js';
export * from './workflow.js';
export * from './codeowners.js';
export * from './policy.js';
export * from './protection.js';
export * from './snapshot.js';
export * from './finding.js';
export * from './settings.js';
