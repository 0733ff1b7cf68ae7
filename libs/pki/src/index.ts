export * from './authority';
export * from './development';
