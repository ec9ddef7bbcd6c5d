export * from './clouds';
export * from './endpoints';
export * from './http';
export * from './arm';
export * from './graph';
export * from './instanceMetadata';
export * from './roles';
export * from './service';
