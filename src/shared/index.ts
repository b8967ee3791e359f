export * from './domain'
export * from './settings'
export * from './contract'
