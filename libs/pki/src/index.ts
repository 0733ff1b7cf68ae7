export * from './authority';
export * from './development';
export * from './system-subjects';
