export * from './apicurio-registry';
export * from './proto-files';
export * from './register-contracts';
