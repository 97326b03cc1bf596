// The whole schema, one file per aggregate.
export * from './regions.ts';
export * from './settings.ts';
export * from './accounts.ts';
export * from './teams.ts';
export * from './events.ts';
export * from './hours.ts';
export * from './honors.ts';
export * from './publishing.ts';
export * from './files.ts';
export * from './orders.ts';
export * from './points.ts';
export * from './households.ts';
export * from './stats.ts';
